import EchoProto
import ProtosocketRPC
import Testing
import TestSupport

@Suite("RPC release on close")
struct ReleaseTests {
    @Test("async streams stalled behind a client that does not read end with their connection: tasks done, count back to zero, every round")
    func asyncStreamsEndWithConnection() async throws {
        let produced = Counter()
        let ended = Counter()
        let server = try await TestServer.start(ScriptedService { _ in
            .asyncStream(CountingStream(count: 1_000_000, payload: 256, produced: produced, ended: ended))
        })
        try await withHangGuard(seconds: 120) {
            for round in 1...3 {
                let client = try await server.connect(streamBufferLimit: 16)
                let streams = (0..<16).map { _ in client.streaming(echoRequest("long", stream: true)) }
                #expect(await eventually { server.server.runningRPCCount == 16 }, "round \(round)")
                await client.close()
                withExtendedLifetime(streams) {}
                #expect(await eventually { server.server.runningRPCCount == 0 }, "round \(round)")
                // Every stream's task ended and released its iterator.
                #expect(await eventually { ended.value == 16 * round }, "round \(round)")
            }
        }
        await server.close()
    }
}
