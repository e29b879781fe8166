import EchoProto
import NIOCore
import NIOPosix
import ProtosocketRPC
import Testing
import TestSupport

/// Each test misbehaves against a live echo server while a well-behaved client
/// (the bystander) keeps using it; afterwards the server is back to its baseline
/// of open connections and serves the bystander and a newcomer.
@Suite("Hostile peers")
struct HostilePeerTests {
    @Test("garbage bytes end only the connection that sent them")
    func garbage() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard {
            var generator = SeededGenerator(seed: 7)
            for _ in 0..<8 {
                let peer = try await RawPeer.connect(port: fixture.port)
                try await peer.send((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
                // Random bytes may also announce a frame still to come: then the
                // server waits for it until the peer goes.
                await peer.close()
                try await fixture.expectServing()
            }
            await fixture.expectBaseline()
        }
        #expect(fixture.decodeFailures >= 1)
        await fixture.close()
    }

    @Test("a length prefix of 2^62 closes the connection without allocating it")
    func hugeLengthPrefix() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard {
            let peer = try await RawPeer.connect(port: fixture.port)
            var prefix: [UInt8] = []
            var value: UInt64 = 1 << 62
            while value >= 0x80 {
                prefix.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            prefix.append(UInt8(value))
            try await peer.send(prefix + [1, 2, 3])
            await peer.closedByServer()
            try await fixture.expectServing()
            await fixture.expectBaseline()
        }
        #expect(fixture.decodeFailures == 1)
        await fixture.close()
    }

    @Test("a frame cut in half, then close, leaves nothing behind")
    func halfFrameThenClose() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard {
            let bytes = try frame(echoRequest(String(repeating: "x", count: 1000)))
            let peer = try await RawPeer.connect(port: fixture.port)
            try await peer.send(Array(bytes[..<(bytes.count / 2)]))
            await peer.close()
            await fixture.expectBaseline()
            try await fixture.expectServing()
        }
        await fixture.close()
    }

    @Test("a reset in the middle of a streamed response ends only that connection")
    func resetMidStream() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard {
            var request = echoRequest(String(repeating: "s", count: 200_000), stream: true)
            request.requestID = 1
            let peer = try await RawPeer.connect(port: fixture.port)
            try await peer.send(frame(request))
            // Some of the stream has arrived: reset in the middle of it.
            #expect(await eventually { peer.receivedCount > 10_000 })
            await peer.reset()
            await fixture.expectBaseline()
            try await fixture.expectServing()
        }
        await fixture.close()
    }

    @Test("2,000 connections opened and closed in a burst")
    func connectionBurst() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard(seconds: 120) {
            for _ in 0..<8 {
                let peers = try await withThrowingTaskGroup(of: RawPeer.self) { group in
                    for _ in 0..<250 {
                        group.addTask { try await RawPeer.connect(port: fixture.port) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                await withTaskGroup(of: Void.self) { group in
                    for peer in peers {
                        group.addTask { await peer.close() }
                    }
                }
            }
            await fixture.expectBaseline("every burst connection is gone")
            try await fixture.expectServing()
        }
        await fixture.close()
    }

    @Test("a client that never reads while its stream produces holds up no one else")
    func clientThatNeverReads() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard {
            var request = echoRequest(String(repeating: "n", count: 500_000), stream: true)
            request.requestID = 1
            let peer = try await RawPeer.connect(port: fixture.port, reads: false)
            try await peer.send(frame(request))
            #expect(await eventually { fixture.server.openConnectionCount == 2 })
            try await fixture.expectServing("served while the stream is stuck behind the silent reader")
            await peer.close()
            await fixture.expectBaseline()
        }
        await fixture.close()
    }

    @Test("10,000 cancels for ids that do not exist are ignored, and the connection keeps working")
    func cancelsForUnknownIDs() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard {
            let peer = try await WirePeer.connect(port: fixture.port)
            for id in 0..<10_000 {
                var cancel = Echo_Request()
                cancel.requestID = 1_000_000 + UInt64(id)
                cancel.code = 1
                try peer.send(cancel)
            }
            var request = echoRequest("after the cancels")
            request.requestID = 42
            try peer.send(request)
            #expect(await eventually { !peer.received.isEmpty })
            let received = peer.received
            #expect(received.count == 1)
            #expect(received.first?.requestID == 42)
            #expect(received.first?.echo.message == "after the cancels")
            try await fixture.expectServing()
            await peer.connection.close()
            await fixture.expectBaseline()
        }
        await fixture.close()
    }

    @Test("a request that reuses the id of a running stream is ignored; the stream completes once, intact")
    func duplicateIDs() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard {
            let message = String(repeating: "d", count: 20_000)
            var stream = echoRequest(message, stream: true)
            stream.requestID = 7
            var unary = echoRequest("duplicate")
            unary.requestID = 7
            var secondStream = echoRequest("dd", stream: true)
            secondStream.requestID = 7
            // One write: the two small duplicates come right behind the stream's
            // request, long before its 20,000 responses can be sent.
            let peer = try await RawPeer.connect(port: fixture.port)
            try await peer.send(frame(stream) + frame(unary) + frame(secondStream))
            // The stream's 20,000 items and its end.
            #expect(await eventually { peer.responses.last?.controlCode == .end })
            let received = peer.responses
            #expect(received.allSatisfy { $0.requestID == 7 })
            #expect(received.filter { $0.controlCode == .end }.count == 1)
            let items = received.filter { $0.controlCode == .normal }
            #expect(items.count == 20_000)
            #expect(items.map(\.stream.sequence) == (0..<20_000).map(UInt64.init))
            #expect(!items.contains { $0.echo.message == "duplicate" })
            await peer.close()
            await fixture.expectBaseline()
            try await fixture.expectServing()
        }
        await fixture.close()
    }
}
