import EchoProto
import Logging
import NIOCore
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import ServiceLifecycle
import Testing
import TestSupport

/// Echoes after a pause, in a task: calls stay in flight for a while.
struct SlowEchoService: RPCResponderFactory {
    let started: Counter

    func makeCodec() -> ProtobufCodec<Echo_Request, Echo_Response> { ProtobufCodec() }

    func makeResponder(context: RPCConnectionContext) -> SlowEchoConnection {
        SlowEchoConnection(started: started)
    }
}

struct SlowEchoConnection: RPCResponder {
    let started: Counter

    mutating func answer(_ request: Echo_Request) -> RPCAnswer<Echo_Response> {
        let started = self.started
        return .deferred {
            started.increment()
            try await Task.sleep(for: .milliseconds(300))
            return .with { $0.echo.message = request.body.message }
        }
    }
}

@Suite("Graceful shutdown")
struct ShutdownTests {
    @Test("calls in flight at shutdown are answered; later calls fail with a clear error; the server stops")
    func shutdownUnderLoad() async throws {
        let started = Counter()
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, shutdownGracePeriod: .seconds(30)),
            responders: SlowEchoService(started: started),
            logger: quietLogger
        )
        let port = server.localAddress?.port ?? 0
        let group = ServiceGroup(services: [server], logger: quietLogger)
        let running = Task { try await group.run() }
        let clients = try await withThrowingTaskGroup(of: EchoClient.self) { connecting in
            for _ in 0..<4 {
                connecting.addTask { try await HostileFixture.connectClient(port: port) }
            }
            return try await connecting.reduce(into: []) { $0.append($1) }
        }

        try await withHangGuard(seconds: 120) {
            try await withThrowingTaskGroup(of: Bool.self) { calls in
                for index in 0..<200 {
                    calls.addTask {
                        let message = "in flight \(index)"
                        return try await clients[index % clients.count].unary(echoRequest(message)).echo.message == message
                    }
                }
                // Every call is running on the server: now shut down.
                #expect(await eventually { started.value == 200 })
                await group.triggerGracefulShutdown()
                var answered = 0
                for try await matches in calls where matches {
                    answered += 1
                }
                #expect(answered == 200)
            }
            // The server refuses new calls (cancel) while it drains, then is closed.
            await #expect(throws: RPCError.self) {
                try await clients[0].unary(echoRequest("too late"))
            }
            try await running.value
            #expect(server.openConnectionCount == 0)
            await #expect(throws: (any Error).self) {
                try await HostileFixture.connectClient(port: port)
            }
        }
        for client in clients {
            await client.close()
        }
    }
}
