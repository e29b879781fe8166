import Benchmark
import EchoProto
import Logging
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer

// The cost of choosing a connection: RPCClientPool over three servers (power of two
// choices, round-robin and rendezvous-hashed keys) against RPCConnectionPool's random slot, per call,
// with every connection already open. No RPC is made: this is the routing alone.

let routesPerIteration = 100_000

typealias EchoPool = RPCClientPool<Echo_Request, Echo_Response>

/// Three echo servers on 127.0.0.1–3 and a pool over them with every endpoint
/// connected; `body` runs with the pool, then everything is closed.
func withPoolOverThreeServers(
    logger: Logger,
    balancing: LoadBalancing = .powerOfTwoChoices,
    _ body: (EchoPool, [Endpoint]) async throws -> Void
) async throws {
    var servers: [RPCServer<EchoService>] = []
    var endpoints: [Endpoint] = []
    for host in ["127.0.0.1", "127.0.0.2", "127.0.0.3"] {
        let server = try await RPCServer.bind(configuration: ServerConfiguration(host: host, port: 0), responders: EchoService(), logger: logger)
        servers.append(server)
        endpoints.append(.host(host, port: server.localAddress?.port ?? 0))
    }
    let pool = EchoPool(resolver: StaticEndpoints(endpoints), balancing: balancing, logger: logger) { endpoint in
        try await RPCClient.connect(to: endpoint, connector: TCPConnector(logger: logger)) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await pool.run() }
        // Route until every endpoint is connected (power of two choices connects
        // an idle endpoint when it is drawn beside an open one).
        var connected = Set<Endpoint>()
        for _ in 0..<10_000 where connected.count < endpoints.count {
            connected.insert(try await pool.route().endpoint)
        }
        try await body(pool, endpoints)
        group.cancelAll()
    }
    for server in servers {
        await server.close()
    }
}

func registerPoolRoutingBenchmarks(logger: Logger) {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal],
        maxDuration: .seconds(10),
        maxIterations: 20
    )
    Benchmark("pool routing: RPCClientPool power of two choices over 3 endpoints, x \(routesPerIteration)", configuration: configuration) { benchmark in
        try await withPoolOverThreeServers(logger: logger) { pool, _ in
            benchmark.startMeasurement()
            for _ in 0..<routesPerIteration {
                blackHole(try await pool.route())
            }
            benchmark.stopMeasurement()
        }
    }
    Benchmark("pool routing: RPCClientPool round-robin over 3 endpoints, x \(routesPerIteration)", configuration: configuration) { benchmark in
        try await withPoolOverThreeServers(logger: logger, balancing: .roundRobin) { pool, _ in
            benchmark.startMeasurement()
            for _ in 0..<routesPerIteration {
                blackHole(try await pool.route())
            }
            benchmark.stopMeasurement()
        }
    }
    Benchmark("pool routing: RPCClientPool rendezvous key over 3 endpoints, x \(routesPerIteration)", configuration: configuration) { benchmark in
        let keys = (0..<1_024).map { Array("user-\($0)".utf8) }
        try await withPoolOverThreeServers(logger: logger) { pool, _ in
            benchmark.startMeasurement()
            for index in 0..<routesPerIteration {
                blackHole(try await pool.route(forKeyBytes: keys[index & 1_023]))
            }
            benchmark.stopMeasurement()
        }
    }
    Benchmark("pool routing: RPCConnectionPool random slot of 3, x \(routesPerIteration)", configuration: configuration) { benchmark in
        let server = try await RPCServer.bind(configuration: ServerConfiguration(host: "127.0.0.1", port: 0), responders: EchoService(), logger: logger)
        let port = server.localAddress?.port ?? 0
        let pool = RPCConnectionPool<Echo_Request, Echo_Response>(size: 3) {
            try await RPCClient.connect(host: "127.0.0.1", port: port, connector: TCPConnector(logger: logger)) {
                ProtobufCodec<Echo_Response, Echo_Request>()
            }
        }
        for slot in 0..<3 {
            _ = try await pool.client(atSlot: slot)
        }
        benchmark.startMeasurement()
        for _ in 0..<routesPerIteration {
            blackHole(try await pool.client())
        }
        benchmark.stopMeasurement()
        await server.close()
    }
}
