import EchoProto
import ProtosocketRPC
import Testing
import TestSupport

@Suite("RPC deadlines")
struct DeadlineTests {
    @Test("a unary call past its deadline fails with deadlineExceeded, and the server's work is cancelled")
    func unaryExpires() async throws {
        let started = Counter()
        let cancelled = Counter()
        let server = try await TestServer.start(ScriptedService { _ in
            waitUntilCancelled(started: started, cancelled: cancelled)
        })
        let client = try await server.connect()
        try await withHangGuard(seconds: 60) {
            await #expect(throws: RPCError.deadlineExceeded) {
                _ = try await client.unary(echoRequest("slow"), timeout: .milliseconds(200))
            }
            #expect(await eventually { cancelled.value == 1 })
            #expect(await eventually { server.server.runningRPCCount == 0 })
        }
        await client.close()
        await server.close()
    }

    @Test("a call answered before its deadline is unaffected, and the connection stays usable")
    func answeredInTime() async throws {
        let server = try await TestServer.start(EchoService())
        let client = try await server.connect()
        try await withHangGuard(seconds: 60) {
            for index in 0..<50 {
                let reply = try await client.unary(echoRequest("in time \(index)"), timeout: .seconds(30))
                #expect(reply.echo.message == "in time \(index)")
            }
            var letters = ""
            for try await item in client.streaming(echoRequest("abc", stream: true), timeout: .seconds(30)) {
                letters += item.stream.message
            }
            #expect(letters == "abc")
        }
        await client.close()
        await server.close()
    }

    @Test("cancelling the calling task before the deadline throws CancellationError, not deadlineExceeded")
    func taskCancelWins() async throws {
        let started = Counter()
        let cancelled = Counter()
        let server = try await TestServer.start(ScriptedService { _ in
            waitUntilCancelled(started: started, cancelled: cancelled)
        })
        let client = try await server.connect()
        try await withHangGuard(seconds: 60) {
            let call = Task { try await client.unary(echoRequest("slow"), timeout: .seconds(3_600)) }
            #expect(await eventually { started.value == 1 })
            call.cancel()
            await #expect(throws: CancellationError.self) { try await call.value }
            #expect(await eventually { cancelled.value == 1 })
        }
        await client.close()
        await server.close()
    }

    @Test("a stream past its deadline fails with deadlineExceeded and the server's stream stops")
    func streamExpires() async throws {
        let produced = Counter()
        let server = try await TestServer.start(ScriptedService { request in
            request.responseBehavior == .stream
                ? .asyncStream(CountingStream(count: 10_000_000, payload: 16, produced: produced))
                : .response(.with { $0.echo.message = request.body.message })
        })
        let client = try await server.connect(streamBufferLimit: 16)
        try await withHangGuard(seconds: 60) {
            // Never iterated until the deadline has passed.
            let stream = client.streaming(echoRequest("endless", stream: true), timeout: .milliseconds(200))
            #expect(await eventually { server.server.runningRPCCount == 0 })
            await #expect(throws: RPCError.deadlineExceeded) {
                for try await _ in stream {}
            }
            let reply = try await client.unary(echoRequest("after"))
            #expect(reply.echo.message == "after")
        }
        await client.close()
        await server.close()
    }
}
