import EchoProto
import Foundation
import NIOCore
import NIOPosix
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A server that answers every call with its own name (so a test sees which
/// endpoint served it), and never answers "hang".
func namedServer(_ name: String, listenAddress: ServerConfiguration.ListenAddress) async throws -> (RPCServer<ScriptedService>, Task<Void, any Error>) {
    let service = ScriptedService { request in
        if request.body.message == "hang" {
            return waitUntilCancelled(started: Counter(), cancelled: Counter())
        }
        return .response(.with { $0.echo.message = name })
    }
    let server = try await RPCServer.bind(
        configuration: ServerConfiguration(listenAddress: listenAddress),
        responders: service,
        logger: quietLogger
    )
    return (server, Task { try await server.run() })
}

func makePool(_ endpoints: [Endpoint], balancing: LoadBalancing = .roundRobin) -> RPCClientPool<Echo_Request, Echo_Response> {
    RPCClientPool(
        resolver: StaticEndpoints(endpoints),
        balancing: balancing,
        backoff: ReconnectBackoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
        logger: quietLogger
    ) { endpoint in
        try await EchoClient.connect(to: endpoint, connector: TCPConnector(connectTimeout: testTimeout(seconds: 10), logger: quietLogger)) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }
    }
}

func name(of client: EchoClient) async throws -> String {
    try await client.unary(.with { $0.body.message = "who" }).echo.message
}

@Suite("RPCClientPool over several servers", .timeLimit(.minutes(2)))
struct ClientPoolTests {
    @Test("load spreads over three servers; keys map the same from two pools; a stopped server fails only its calls, and gets traffic again after it returns")
    func threeServers() async throws {
        let hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
        var servers: [(RPCServer<ScriptedService>, Task<Void, any Error>)] = []
        for host in hosts {
            servers.append(try await namedServer(host, listenAddress: .host(host, port: 0)))
        }
        let ports = servers.map { $0.0.localAddress?.port ?? 0 }
        let endpoints = zip(hosts, ports).map { Endpoint.host($0, port: $1) }
        let pool = makePool(endpoints)
        let other = makePool(endpoints)
        let running = Task { try await pool.run() }
        let otherRunning = Task { try await other.run() }

        // Round-robin in runs of 128: each server gets an equal share of 384 calls.
        var served: [String: Int] = [:]
        for _ in 0..<384 {
            served[try await name(of: try await pool.client()), default: 0] += 1
        }
        #expect(served == ["127.0.0.1": 128, "127.0.0.2": 128, "127.0.0.3": 128])

        // Keys: two independent pools agree, and agree with the hash.
        let keys = (0..<24).map { "key-\($0)" }
        var owner: [String: String] = [:]
        for key in keys {
            let first = try await name(of: try await pool.client(forKey: key))
            let second = try await name(of: try await other.client(forKey: key))
            #expect(first == second)
            let ranked = RendezvousHash.ranked(endpoints, forKey: key.utf8)
            #expect(ranked.first == endpoints[hosts.firstIndex(of: first) ?? 0])
            owner[key] = first
        }

        // A call in flight on the server about to stop, and one on another server.
        let victim = try await pool.client(forKey: keys.first { owner[$0] == "127.0.0.2" } ?? "")
        let bystander = try await pool.client(forKey: keys.first { owner[$0] == "127.0.0.1" } ?? "")
        let doomed = Task { try await victim.unary(.with { $0.body.message = "hang" }) }
        let survivor = Task { try await bystander.unary(.with { $0.body.message = "hang" }, timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        await servers[1].0.close()
        _ = await servers[1].1.result
        await #expect(throws: RPCError.self) { _ = try await doomed.value }

        // Later calls succeed on the other two; keys of the stopped server move,
        // the others stay.
        var after: [String: Int] = [:]
        // Two runs' worth: any 256 consecutive calls cross from one run to the next.
        for _ in 0..<256 {
            after[try await name(of: try await pool.client()), default: 0] += 1
        }
        #expect(after["127.0.0.2"] == nil)
        #expect((after["127.0.0.1"] ?? 0) > 0 && (after["127.0.0.3"] ?? 0) > 0)
        for key in keys {
            let now = try await name(of: try await pool.client(forKey: key))
            if owner[key] == "127.0.0.2" {
                #expect(now != "127.0.0.2")
            } else {
                #expect(now == owner[key])
            }
        }

        // Back on the same address: it gets traffic again once its backoff (at most
        // 200 ms here) has passed and the rotation reaches it (three runs of 128
        // at most).
        let restarted = try await namedServer("127.0.0.2", listenAddress: .host("127.0.0.2", port: ports[1]))
        var returned = false
        for _ in 0..<600 where !returned {
            returned = try await name(of: try await pool.client()) == "127.0.0.2"
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(returned)

        // The bystander's call was never disturbed.
        survivor.cancel()
        await #expect(throws: CancellationError.self) { _ = try await survivor.value }

        running.cancel()
        otherRunning.cancel()
        _ = await running.result
        _ = await otherRunning.result
        await #expect(throws: RPCClientPoolError.closed) { _ = try await pool.client() }
        for (server, task) in [servers[0], servers[2], restarted] {
            await server.close()
            _ = await task.result
        }
    }

    @Test("an endpoint that refuses connections is skipped; with none reachable the call fails with the last error")
    func unreachable() async throws {
        let (server, task) = try await namedServer("up", listenAddress: .host("127.0.0.1", port: 0))
        let up = Endpoint.host("127.0.0.1", port: server.localAddress?.port ?? 0)
        let down = Endpoint.unixDomainSocket(path: "/tmp/protosocket-no-such-socket-\(getpid())")
        let pool = makePool([down, up])
        let running = Task { try await pool.run() }
        for _ in 0..<4 {
            #expect(try await name(of: try await pool.client()) == "up")
        }
        let lonely = makePool([down])
        let lonelyRunning = Task { try await lonely.run() }
        await #expect(throws: RPCClientPoolError.self) { _ = try await lonely.client() }
        running.cancel()
        lonelyRunning.cancel()
        _ = await running.result
        _ = await lonelyRunning.result
        await server.close()
        _ = await task.result
    }
}

@Suite("RPCClientPool: calls that were never sent")
struct UnsentRetryTests {
    @Test("a call on a connection closed before it was written fails with notSent; with retryingUnsent the pool sends it to the next endpoint")
    func retryUnsent() async throws {
        let (first, firstTask) = try await namedServer("first", listenAddress: .host("127.0.0.1", port: 0))
        let (second, secondTask) = try await namedServer("second", listenAddress: .host("127.0.0.2", port: 0))
        let broken = Endpoint.host("127.0.0.1", port: first.localAddress?.port ?? 0)
        let working = Endpoint.host("127.0.0.2", port: second.localAddress?.port ?? 0)
        // The connect to `broken` hands back a client whose connection is already
        // closed: the pool does not know until a call on it fails. Each pool's
        // first call goes to `broken` (the first endpoint).
        @Sendable func makePool() -> RPCClientPool<Echo_Request, Echo_Response> {
            RPCClientPool(resolver: StaticEndpoints([broken, working]), logger: quietLogger) { endpoint in
                let client = try await EchoClient.connect(to: endpoint, connector: TCPConnector(logger: quietLogger)) {
                    ProtobufCodec<Echo_Response, Echo_Request>()
                }
                if endpoint == broken {
                    await client.close()
                }
                return client
            }
        }
        let plain = makePool()
        let retrying = makePool()
        let runs = [Task { try await plain.run() }, Task { try await retrying.run() }]
        await #expect(throws: RPCError.notSent) {
            _ = try await plain.unary(.with { $0.body.message = "who" })
        }
        let answer = try await retrying.unary(.with { $0.body.message = "who" }, retryingUnsent: true)
        #expect(answer.echo.message == "second")
        for run in runs {
            run.cancel()
            _ = await run.result
        }
        for (server, task) in [(first, firstTask), (second, secondTask)] {
            await server.close()
            _ = await task.result
        }
    }
}

@Suite("RPCClientPool with several connections per endpoint")
struct ConnectionsPerEndpointTests {
    @Test("with two connections per endpoint, calls open both, and no more")
    func twoConnections() async throws {
        let (server, task) = try await namedServer("up", listenAddress: .host("127.0.0.1", port: 0))
        let endpoint = Endpoint.host("127.0.0.1", port: server.localAddress?.port ?? 0)
        let pool = RPCClientPool<Echo_Request, Echo_Response>(
            resolver: StaticEndpoints([endpoint]),
            connectionsPerEndpoint: 2,
            logger: quietLogger
        ) { endpoint in
            try await EchoClient.connect(to: endpoint, connector: TCPConnector(logger: quietLogger)) {
                ProtobufCodec<Echo_Response, Echo_Request>()
            }
        }
        let running = Task { try await pool.run() }
        for _ in 0..<100 {
            #expect(try await name(of: try await pool.client()) == "up")
        }
        #expect(server.openConnectionCount == 2)
        #expect(pool.endpoints == [endpoint])
        running.cancel()
        _ = await running.result
        await server.close()
        _ = await task.result
    }
}

@Suite("RPCClientPool before it runs")
struct PoolLifecycleTests {
    @Test("a call before run() waits for the first resolution; a cancelled one stops waiting; after run() ends calls fail with closed")
    func waitsForResolution() async throws {
        let (server, task) = try await namedServer("up", listenAddress: .host("127.0.0.1", port: 0))
        let pool = makePool([.host("127.0.0.1", port: server.localAddress?.port ?? 0)])
        let early = Task { try await name(of: try await pool.client()) }
        let abandoned = Task { try await name(of: try await pool.client()) }
        try await Task.sleep(for: .milliseconds(50))
        abandoned.cancel()
        await #expect(throws: CancellationError.self) { _ = try await abandoned.value }
        let running = Task { try await pool.run() }
        #expect(try await early.value == "up")
        running.cancel()
        _ = await running.result
        await #expect(throws: RPCClientPoolError.closed) { _ = try await pool.client() }
        await server.close()
        _ = await task.result
    }
}

@Suite("RPCClientPool over a Unix domain socket")
struct UnixPoolTests {
    @Test("a pool connects to a Unix socket endpoint once for many concurrent first callers, and keeps using that connection")
    func unixEndpoint() async throws {
        let path = "/tmp/protosocket-pool-\(getpid()).sock"
        let (server, task) = try await namedServer("unix", listenAddress: .unixDomainSocket(path: path))
        let pool = makePool([.unixDomainSocket(path: path)])
        let running = Task { try await pool.run() }
        // Eight callers wait for the same first connect; all of them use it.
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { try await name(of: try await pool.client()) }
            }
            for try await answer in group {
                #expect(answer == "unix")
            }
        }
        for _ in 0..<5 {
            let route = try await pool.route()
            #expect(route.endpoint == .unixDomainSocket(path: path))
            #expect(try await name(of: route.client) == "unix")
        }
        #expect(server.openConnectionCount == 1)
        running.cancel()
        _ = await running.result
        await server.close()
        _ = await task.result
    }
}

/// How many IPv4 TCP sockets listen on `port` (from /proc/net/tcp: state 0A).
func listeningSockets(port: Int) throws -> Int {
    let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
    let local = String(format: ":%04X", port)
    return table.split(separator: "\n").dropFirst().filter { line in
        let fields = line.split(separator: " ")
        return fields.count > 3 && fields[1].hasSuffix(local) && fields[3] == "0A"
    }.count
}

@Suite("Listeners: Unix domain sockets and bound descriptors")
struct ListenerTests {
    @Test("an RPC server on a Unix domain socket answers a client that connects by path")
    func unixDomainSocket() async throws {
        let path = "/tmp/protosocket-test-\(getpid()).sock"
        let (server, task) = try await namedServer("unix", listenAddress: .unixDomainSocket(path: path))
        let client = try await EchoClient.connect(to: .unixDomainSocket(path: path), connector: TCPConnector(logger: quietLogger)) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }
        #expect(try await name(of: client) == "unix")
        await client.close()
        await server.close()
        _ = await task.result
    }

    @Test("one listener per event loop: every loop accepts on the same port, and clients are served")
    func listenerPerEventLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, listenerPerEventLoop: true),
            responders: EchoService(),
            group: group,
            logger: quietLogger
        )
        let task = Task { try await server.run() }
        let port = server.localAddress?.port ?? 0
        #expect(port != 0)
        var clients: [EchoClient] = []
        for _ in 0..<8 {
            let client = try await EchoClient.connect(host: "127.0.0.1", port: port, connector: TCPConnector(logger: quietLogger)) {
                ProtobufCodec<Echo_Response, Echo_Request>()
            }
            #expect(try await client.unary(echoRequest("hi")).echo.message == "hi")
            clients.append(client)
        }
        #expect(server.openConnectionCount == 8)
        // One listening socket per loop, on the same port (the kernel's view).
        #expect(try listeningSockets(port: port) == 2)
        for client in clients {
            await client.close()
        }
        await server.close()
        _ = await task.result
        try await group.shutdownGracefully()
    }

    @Test("a server serves on a socket bound elsewhere and handed in as a descriptor")
    func boundDescriptor() async throws {
        let descriptor = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        #expect(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0)
        let (server, task) = try await namedServer("activated", listenAddress: .boundSocket(descriptor: descriptor))
        let port = server.localAddress?.port ?? 0
        #expect(port != 0)
        let client = try await EchoClient.connect(to: .host("127.0.0.1", port: port), connector: TCPConnector(logger: quietLogger)) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }
        #expect(try await name(of: client) == "activated")
        await client.close()
        await server.close()
        _ = await task.result
    }
}
