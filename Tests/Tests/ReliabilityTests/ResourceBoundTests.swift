import EchoProto
import NIOCore
import ProtosocketRPC
import Testing
import TestSupport

/// What a careless or hostile client can make the server hold: bounded by the
/// server's limits, and all of it released when the client's connections close.
@Suite("Resource bounds")
struct ResourceBoundTests {
    @Test("a client that floods streaming requests and never reads is held to the running limit; bystanders are served; closing it releases everything")
    func streamFloodIsBounded() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard(seconds: 120) {
            let peer = try await RawPeer.connect(port: fixture.port, reads: false)
            var request = echoRequest(String(repeating: "f", count: 4_096), stream: true)
            // 4,000 requests of 4 KiB: far more than the server takes before it
            // stops reading. Not awaited: the writes complete only as it reads.
            for id in 1...4_000 {
                request.requestID = UInt64(id)
                let bytes = try frame(request)
                peer.channel.writeAndFlush(peer.channel.allocator.buffer(bytes: bytes), promise: nil)
            }
            let limit = RPCServerLimits().maxRunningRPCsPerConnection
            #expect(await eventually { fixture.server.runningRPCCount == limit })
            try await fixture.expectServing("served while the flood is held")
            #expect(fixture.server.runningRPCCount <= limit + 2, "the bystander's calls are not counted for long")
            await peer.close()
            #expect(await eventually { fixture.server.runningRPCCount == 0 })
            await fixture.expectBaseline()
        }
        await fixture.close()
    }

    @Test("rounds of clients with long streams they never read, then closed: every round releases every RPC")
    func slowReaderRoundsRelease() async throws {
        let fixture = try await HostileFixture.start()
        try await withHangGuard(seconds: 120) {
            // 1,000,000 responses (12 MB) each: more than the socket buffers and the
            // client's receive buffer on the way hold, so at most one stream of a
            // connection can end by itself.
            let long = echoRequest(String(repeating: "s", count: 1_000_000), stream: true)
            for round in 1...3 {
                var clients: [EchoClient] = []
                var streams: [RPCResponseStream<Echo_Response>] = []
                for _ in 0..<4 {
                    let client = try await HostileFixture.connectClient(port: fixture.port)
                    clients.append(client)
                    for _ in 0..<4 {
                        streams.append(client.streaming(long))
                    }
                }
                #expect(await eventually { fixture.server.runningRPCCount >= 12 }, "round \(round)")
                for client in clients {
                    await client.close()
                }
                withExtendedLifetime(streams) {}
                #expect(await eventually { fixture.server.runningRPCCount == 0 }, "round \(round)")
                await fixture.expectBaseline("round \(round)")
            }
            try await fixture.expectServing()
        }
        await fixture.close()
    }
}
