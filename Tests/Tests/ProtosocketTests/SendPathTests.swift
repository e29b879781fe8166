import NIOCore
import Protosocket
import Spillway
import Testing

@Suite("Connection send path and closing")
struct SendPathTests {
    @Test("a burst of 1,000 queued messages is written in order with far fewer than 1,000 flushes")
    func burstIsBatched() throws {
        let connection = try EmbeddedConnection()
        let flushesBefore = connection.counter.flushes
        for index in 0..<1_000 {
            try connection.sender?.send("message \(index)")
        }
        let written = try connection.written()
        #expect(written == (0..<1_000).map { "message \($0)\n" }.joined())
        // 128 messages per turn by default: about 8 flushes.
        #expect(connection.counter.flushes - flushesBefore <= 10)
    }

    @Test("pollOutbound is not called while the channel is not writable, and resumes when it is")
    func pollOutboundRespectsWritability() throws {
        let connection = try EmbeddedConnection(
            configuration: ConnectionConfiguration(maxBufferLength: 1024, maxQueuedOutboundMessages: 8)
        ) { reactor in
            reactor.produce = (0..<100).map { "produced \($0)" }
        }
        // Writable at first: everything is produced, 8 per turn.
        #expect(try connection.written() == (0..<100).map { "produced \($0)\n" }.joined())

        connection.channel.isWritable = false
        connection.channel.pipeline.fireChannelWritabilityChanged()
        let callsWhileBlocked = connection.recorder.pollOutboundCalls
        try connection.receive("ping\n")  // a turn runs, but must not poll outbound
        connection.waker?.wake()
        _ = try connection.written()
        #expect(connection.recorder.pollOutboundCalls == callsWhileBlocked)

        connection.channel.isWritable = true
        connection.channel.pipeline.fireChannelWritabilityChanged()
        #expect(connection.recorder.pollOutboundCalls > callsWhileBlocked)
    }

    @Test("queued messages are not taken while the channel is not writable")
    func queueWaitsForWritability() throws {
        let connection = try EmbeddedConnection()
        connection.channel.isWritable = false
        try connection.sender?.send("held")
        #expect(try connection.written() == "")
        connection.channel.isWritable = true
        connection.channel.pipeline.fireChannelWritabilityChanged()
        #expect(try connection.written() == "held\n")
    }

    @Test("last sender gone and the reactor finished: everything queued is delivered, then the connection closes")
    func finishesAfterDelivering() throws {
        let connection = try EmbeddedConnection { reactor in
            reactor.finishes = true
        }
        var extra = connection.sender?.makeSender()
        for index in 0..<5 {
            try connection.sender?.send("last \(index)")
        }
        try extra?.send("from the other sender")
        connection.sender = nil
        let written = try connection.written()
        #expect(written.contains("last 4\n") && written.contains("from the other sender\n"))
        #expect(connection.isActive)  // `extra` still lives

        try extra?.send("final words")
        extra = nil
        #expect(try connection.written() == "final words\n")
        #expect(!connection.isActive)
        guard case .finished = connection.recorder.closeReasons.first else {
            Issue.record("expected .finished, got \(connection.recorder.closeReasons)")
            return
        }
        #expect(connection.recorder.closeReasons.count == 1)
    }

    @Test("a reactor's disconnect closes the connection and reaches the close callback")
    func reactorDisconnect() throws {
        let connection = try EmbeddedConnection { reactor in
            reactor.onInboundAction = { $0 == "bye" ? .disconnect : .continue }
        }
        try connection.receive("hello\nbye\nnever delivered\n")
        #expect(connection.recorder.inbound == ["hello", "bye"])
        #expect(!connection.isActive)
        guard case .reactorDisconnected = connection.recorder.closeReasons.first else {
            Issue.record("expected .reactorDisconnected, got \(connection.recorder.closeReasons)")
            return
        }
    }

    @Test("wakes from outside are coalesced: many wakes before the turn cost one turn")
    func wakesAreCoalesced() throws {
        let polls = Box(0)
        let connection = try EmbeddedConnection { reactor in
            reactor.onPoll = {
                polls.value += 1
                return .continue
            }
        }
        let before = polls.value
        for _ in 0..<100 {
            connection.waker?.wake()
        }
        _ = try connection.written()
        #expect(polls.value == before + 1)
        connection.waker?.wake()
        _ = try connection.written()
        #expect(polls.value == before + 2)
    }

    @Test("sends fail with closed after the connection ends")
    func sendsFailAfterClose() throws {
        let connection = try EmbeddedConnection()
        try connection.channel.close().wait()
        #expect(connection.recorder.closeReasons.count == 1)
        #expect(throws: SendError.closed("late")) { try connection.sender?.send("late") }
    }

    @Test("messages still queued when the connection closes are handed to the reactor before its close callback")
    func queuedMessagesAreHandedBack() throws {
        let connection = try EmbeddedConnection()
        connection.channel.isWritable = false
        try connection.sender?.send("one")
        try connection.sender?.send("two")
        try connection.channel.close().wait()
        #expect(connection.recorder.undelivered.map(\.message) == ["one", "two"])
        #expect(connection.recorder.undelivered.allSatisfy { $0.closesBefore == 0 })
        #expect(connection.recorder.closeReasons.count == 1)
    }
}
