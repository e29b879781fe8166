import EchoProto
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import Testing
import TestSupport

@Suite("RPCClientPool, power of two choices", .timeLimit(.minutes(2)))
struct PowerOfTwoChoicesTests {
    @Test("a client's pendingCalls counts a call that waits, and drops when it ends")
    func pendingCalls() async throws {
        let (server, running) = try await namedServer("solo", listenAddress: .host("127.0.0.1", port: 0))
        let port = server.localAddress?.port ?? 0
        let client = try await EchoClient.connect(
            host: "127.0.0.1", port: port,
            connector: TCPConnector(connectTimeout: testTimeout(seconds: 10), logger: quietLogger)
        ) { ProtobufCodec<Echo_Response, Echo_Request>() }
        #expect(client.pendingCalls == 0)
        let waiting = Task { try await client.unary(.with { $0.body.message = "hang" }) }
        #expect(await eventually { client.pendingCalls == 1 })
        waiting.cancel()
        _ = await waiting.result
        #expect(await eventually { client.pendingCalls == 0 })
        _ = try await name(of: client)
        #expect(client.pendingCalls == 0)
        await client.close()
        await server.close()
        _ = await running.result
    }

    @Test("with a call stuck on one of two servers, every new call goes to the other")
    func avoidsTheLoadedServer() async throws {
        let hosts = ["127.0.0.1", "127.0.0.2"]
        var servers: [(RPCServer<ScriptedService>, Task<Void, any Error>)] = []
        for host in hosts {
            servers.append(try await namedServer(host, listenAddress: .host(host, port: 0)))
        }
        let endpoints = zip(hosts, servers).map { Endpoint.host($0, port: $1.0.localAddress?.port ?? 0) }
        let pool = makePool(endpoints, balancing: .powerOfTwoChoices)
        let running = Task { try await pool.run() }

        // Calls connect both endpoints (a drawn idle endpoint beside an open one connects).
        var clients: [Endpoint: EchoClient] = [:]
        for _ in 0..<200 where clients.count < 2 {
            let route = try await pool.route()
            clients[route.endpoint] = route.client
        }
        try #require(clients.count == 2)

        // A call that never ends on 127.0.0.2: one call pending there, none on 127.0.0.1.
        let loaded = try #require(clients[endpoints[1]])
        let stuck = Task { try await loaded.unary(.with { $0.body.message = "hang" }) }
        #expect(await eventually { loaded.pendingCalls == 1 })
        var served: [String: Int] = [:]
        for _ in 0..<40 {
            served[try await name(of: try await pool.client()), default: 0] += 1
        }
        #expect(served == ["127.0.0.1": 40])

        stuck.cancel()
        _ = await stuck.result
        running.cancel()
        _ = await running.result
        for (server, task) in servers {
            await server.close()
            _ = await task.result
        }
    }
}
