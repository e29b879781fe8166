import NIOCore
import Protosocket
import Testing
import TestSupport

@Suite("Connection receive path")
struct ReceivePathTests {
    @Test("several messages in one read are all delivered, in order")
    func severalMessagesInOneRead() throws {
        let connection = try EmbeddedConnection()
        try connection.receive("one\ntwo\nthree\n")
        #expect(connection.recorder.inbound == ["one", "two", "three"])
        #expect(connection.isActive)
    }

    @Test("the inbound batch ends once per read that delivered messages, not once per message")
    func batchEndPerRead() throws {
        let connection = try EmbeddedConnection()
        try connection.receive("one\ntwo\nthree\n")
        #expect(connection.recorder.batchEnds.map(\.delivered) == [3])
        try connection.receive("fo")  // nothing whole: no batch
        #expect(connection.recorder.batchEnds.map(\.delivered) == [3])
        try connection.receive("ur\n")
        #expect(connection.recorder.batchEnds.map(\.delivered) == [3, 4])
    }

    @Test("a reactor that disconnects mid-batch gets its close callback last, with no batch end after it")
    func noBatchEndAfterClose() throws {
        let connection = try EmbeddedConnection { reactor in
            reactor.onInboundAction = { $0 == "bye" ? .disconnect : .continue }
        }
        try connection.receive("a\nbye\nc\n")
        #expect(connection.recorder.inbound == ["a", "bye"])
        #expect(connection.recorder.closeReasons.count == 1)
        #expect(connection.recorder.batchEnds.allSatisfy { $0.closesBefore == 0 })
    }

    @Test("a message arriving one byte per read is delivered once, intact")
    func oneBytePerRead() throws {
        let connection = try EmbeddedConnection()
        for byte in "hello, world\n" {
            try connection.receive(String(byte))
        }
        #expect(connection.recorder.inbound == ["hello, world"])
    }

    @Test("a line that outgrows maxBufferLength closes the connection with messageTooLarge")
    func oversizedMessageCloses() throws {
        let connection = try EmbeddedConnection(
            configuration: ConnectionConfiguration(maxBufferLength: 64, maxQueuedOutboundMessages: 8)
        )
        // 64 bytes with no newline: the next message needs at least 65.
        try connection.receive(String(repeating: "x", count: 64))
        #expect(!connection.isActive)
        let reasons = connection.recorder.closeReasons
        #expect(reasons.count == 1)
        guard case .messageTooLarge(let size, let limit) = reasons.first else {
            Issue.record("expected messageTooLarge, got \(reasons)")
            return
        }
        #expect(size == 65)
        #expect(limit == 64)
    }

    @Test("a decoder that announces the total size is asked again only once it is buffered")
    func incompleteWaitsForAnnouncedSize() throws {
        let connection = try EmbeddedSizedConnection(announcing: 10, limit: 64)
        for _ in 0..<9 {
            try connection.receive([0])
        }
        #expect(connection.channel.isActive)
        #expect(connection.decodeCalls.value == 1)  // not once per byte
        try connection.receive([0])
        #expect(connection.delivered.value == 1)
        #expect(connection.decodeCalls.value == 2)
    }

    @Test("an announced size above the limit closes and calls the decoder a bounded number of times")
    func announcedOversizeCloses() throws {
        let connection = try EmbeddedSizedConnection(announcing: 1_000, limit: 64)
        try connection.receive([1, 2, 3])
        #expect(!connection.channel.isActive)
        #expect(connection.decodeCalls.value == 1)
        #expect(connection.closeReason.value?.description.contains("1000") == true)
    }

    @Test("invalid input closes the connection with the decoder's reason")
    func invalidCloses() throws {
        let connection = try EmbeddedSizedConnection(announcing: 4, limit: 64, invalidByte: 0xFF)
        try connection.receive([0xFF])
        #expect(!connection.channel.isActive)
        #expect(connection.closeReason.value?.description.contains("bad byte") == true)
    }

    @Test("a skip past the buffered bytes waits for more and then skips them")
    func skipPastBuffer() throws {
        // 0xEE means: skip 5 bytes (itself and 4 more); then 4-byte messages follow.
        let connection = try EmbeddedSizedConnection(announcing: 4, limit: 64, skipByte: 0xEE, skipCount: 5)
        try connection.receive([0xEE, 1, 2])
        #expect(connection.channel.isActive)
        #expect(connection.delivered.value == 0)
        try connection.receive([3, 4, 7, 7])  // the skip ends after `4`
        #expect(connection.delivered.value == 0)
        try connection.receive([7, 7])
        #expect(connection.delivered.value == 1)
        #expect(connection.lastMessage.value == [7, 7, 7, 7])
    }

    @Test("a paused reactor stops reading once the receive buffer is full, and resumes when polled")
    func pausedReactorStopsReading() throws {
        let paused = Box(false)
        let connection = try EmbeddedConnection(
            configuration: ConnectionConfiguration(maxBufferLength: 16, maxQueuedOutboundMessages: 8)
        ) { reactor in
            reactor.onInboundAction = { _ in
                paused.value = true
                return .pause
            }
            reactor.onPoll = { paused.value ? .pause : .continue }
        }
        try connection.receive("a\n")  // delivered, then the reactor pauses
        #expect(connection.recorder.inbound == ["a"])
        #expect(connection.recorder.batchEnds.map(\.delivered) == [1])  // a pause ends the batch
        let readsBefore = connection.counter.reads
        try connection.receive("bbbbbbbbbbbbbb\n")  // 15 bytes: buffered, not delivered
        #expect(connection.recorder.inbound == ["a"])
        #expect(connection.counter.reads == readsBefore + 1)  // room left: still reading
        try connection.receive("c\n")  // 17 bytes buffered: full
        #expect(connection.counter.reads == readsBefore + 1)  // no further read requested
        #expect(connection.isActive)

        paused.value = false
        // Nothing polls a paused reactor by itself: wake the connection.
        connection.waker?.wake()
        _ = try connection.written()
        // Each delivery pauses again; release it until everything is through.
        #expect(connection.recorder.inbound == ["a", "bbbbbbbbbbbbbb"])
        paused.value = false
        connection.waker?.wake()
        _ = try connection.written()
        #expect(connection.recorder.inbound == ["a", "bbbbbbbbbbbbbb", "c"])
        #expect(connection.counter.reads > readsBefore + 1)  // reading again
    }
}
