import EchoProto
import MetricsTestKit
import Protosocket
import ProtosocketRPC
import ProtosocketServer
import Testing
import TestSupport

@Suite("RPC server limits")
struct LimitsTests {
    /// Starts `count` calls that wait on the server until cancelled; returns their tasks.
    func startCalls(_ count: Int, on client: EchoClient) -> [Task<Void, any Error>] {
        (0..<count).map { index in
            Task { _ = try await client.unary(echoRequest("call \(index)")) }
        }
    }

    @Test("beyond the per-connection limit RPCs wait in order; a cancelled running call lets a waiting one start; other connections are served")
    func perConnectionWait() async throws {
        let started = Counter()
        let cancelled = Counter()
        let server = try await TestServer.start(
            ScriptedService { request in
                request.body.message.hasPrefix("call")
                    ? waitUntilCancelled(started: started, cancelled: cancelled)
                    : .response(.with { $0.echo.message = request.body.message })
            },
            limits: RPCServerLimits(maxRunningRPCsPerConnection: 4)
        )
        let client = try await server.connect()
        let bystander = try await server.connect()
        try await withHangGuard(seconds: 60) {
            // 4 run and 2 wait: reading goes on, so an immediate answer and the
            // cancels still get through on the same connection.
            let calls = startCalls(6, on: client)
            #expect(await eventually { started.value == 4 })
            #expect(server.server.runningRPCCount == 4)
            let reply = try await client.unary(echoRequest("quick"))
            #expect(reply.echo.message == "quick")
            #expect(try await bystander.unary(echoRequest("hello")).echo.message == "hello")
            // At most two of the first three are waiting: one of them runs, and its
            // cancellation lets a waiting call start.
            for call in calls[0..<3] {
                call.cancel()
            }
            #expect(await eventually { started.value >= 5 })
            for call in calls {
                call.cancel()
                _ = await call.result
            }
            #expect(await eventually { server.server.runningRPCCount == 0 })
        }
        await client.close()
        await bystander.close()
        await server.close()
        #expect(cancelled.value == started.value)
    }

    @Test("once as many RPCs wait as may run, the connection stops reading requests; closing it releases everything")
    func perConnectionPause() async throws {
        let started = Counter()
        let cancelled = Counter()
        let answered = Counter()
        let server = try await TestServer.start(
            ScriptedService { _ in
                answered.increment()
                return waitUntilCancelled(started: started, cancelled: cancelled)
            },
            limits: RPCServerLimits(maxRunningRPCsPerConnection: 4)
        )
        let client = try await server.connect()
        try await withHangGuard(seconds: 60) {
            let calls = startCalls(20, on: client)
            #expect(await eventually { started.value == 4 })
            // 4 running and 4 waiting were read; the other 12 stay unread.
            #expect(await settle(answered) == 8)
            #expect(server.server.runningRPCCount == 4)
            await client.close()
            for call in calls {
                await #expect(throws: RPCError.connectionClosed) { try await call.value }
            }
            #expect(await eventually { server.server.runningRPCCount == 0 })
            #expect(await eventually { cancelled.value == 4 })
        }
        await server.close()
    }

    @Test("with .shed, calls beyond the per-connection limit are answered with cancel at once and counted")
    func perConnectionShed() async throws {
        let metrics = TestMetrics()
        let started = Counter()
        let cancelled = Counter()
        let server = try await TestServer.start(
            ScriptedService { _ in waitUntilCancelled(started: started, cancelled: cancelled) },
            limits: RPCServerLimits(maxRunningRPCsPerConnection: 4, atLimit: .shed),
            metricsFactory: metrics
        )
        let client = try await server.connect()
        try await withHangGuard(seconds: 60) {
            let calls = startCalls(4, on: client)
            #expect(await eventually { started.value == 4 })
            for index in 0..<6 {
                await #expect(throws: RPCError.cancelledRemotely) {
                    _ = try await client.unary(echoRequest("shed \(index)"))
                }
            }
            #expect(metrics.counterTotal(label: "protosocket.rpc.server.shed") == 6)
            #expect(started.value == 4)
            for call in calls {
                call.cancel()
                _ = await call.result
            }
        }
        await client.close()
        await server.close()
    }

    @Test("the server-wide limit holds over all connections; a release lets a waiting connection start its call")
    func serverWidePause() async throws {
        let started = Counter()
        let cancelled = Counter()
        let server = try await TestServer.start(
            ScriptedService { _ in waitUntilCancelled(started: started, cancelled: cancelled) },
            limits: RPCServerLimits(maxRunningRPCs: 3)
        )
        let first = try await server.connect()
        let second = try await server.connect()
        try await withHangGuard(seconds: 60) {
            let calls = startCalls(2, on: first) + startCalls(2, on: second)
            #expect(await eventually { started.value == 3 })
            #expect(server.server.runningRPCCount == 3)
            // The fourth waits; whichever connection it is on, a release lets it run.
            calls[0].cancel()
            #expect(await eventually { started.value == 4 })
            for call in calls {
                call.cancel()
                _ = await call.result
            }
            #expect(await eventually { server.server.runningRPCCount == 0 })
        }
        await first.close()
        await second.close()
        await server.close()
    }

    @Test("with .shed, the server-wide limit answers calls beyond it with cancel")
    func serverWideShed() async throws {
        let started = Counter()
        let cancelled = Counter()
        let server = try await TestServer.start(
            ScriptedService { _ in waitUntilCancelled(started: started, cancelled: cancelled) },
            limits: RPCServerLimits(maxRunningRPCs: 2, atLimit: .shed)
        )
        let first = try await server.connect()
        let second = try await server.connect()
        try await withHangGuard(seconds: 60) {
            let calls = startCalls(1, on: first) + startCalls(1, on: second)
            #expect(await eventually { started.value == 2 })
            await #expect(throws: RPCError.cancelledRemotely) {
                _ = try await first.unary(echoRequest("over"))
            }
            for call in calls {
                call.cancel()
                _ = await call.result
            }
        }
        await first.close()
        await second.close()
        await server.close()
    }
}
