import ArgumentParser
import EchoLoad
import ProtosocketClient
import ProtosocketRPC

/// The echo load generator: keeps calls in flight (or sends on a schedule) against
/// a server, or spreads them over several, and prints rate and latency every
/// second.
@main
struct ExampleProtoClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-proto-client",
        abstract: "Generates echo RPC load against example-proto-servers and reports rate and latency."
    )

    @Option(help: "A server, as host:port; repeat it to spread the load over several (through a pool, one connection each).")
    var endpoint: [String] = []

    @Option(help: "A server's Unix domain socket path (instead of --endpoint).")
    var unix: String?

    @Flag(help: "Resolve the --endpoint host name (DNS, /etc/hosts) to all its addresses and spread the load over them, resolving again every 30 s.")
    var resolve = false

    @Option(help: "A deadline for each call, in milliseconds; a call that misses it counts as an error.")
    var timeoutMs: Int?

    @Option(help: "How calls spread over several endpoints: power-of-two-choices (the one of two with fewer calls pending), or round-robin.")
    var balancing: Balancing = .powerOfTwoChoices

    @OptionGroup var load: LoadFlags

    @OptionGroup var tls: ClientTLSFlags

    func validate() throws {
        for text in endpoint where Endpoint(parsing: text) == nil {
            throw ValidationError("expected host:port, got '\(text)'")
        }
        if resolve && endpoint.count != 1 {
            throw ValidationError("--resolve takes exactly one --endpoint")
        }
        if unix != nil && !endpoint.isEmpty {
            throw ValidationError("give --unix or --endpoint, not both")
        }
    }

    func run() async throws {
        let connector = TCPConnector(channelLayers: try tls.makeClientTLS().map { [$0] } ?? [])
        let endpoints = unix.map { [Endpoint.unixDomainSocket(path: $0)] }
            ?? (endpoint.isEmpty ? ["127.0.0.1:9000"] : endpoint).compactMap(Endpoint.init(parsing:))
        // One TCP server, no deadline: the load generator's own connections.
        if endpoints.count == 1, !resolve, timeoutMs == nil, case .host(let host, let port) = endpoints[0].address {
            try await load.execute(host: host, port: port, connector: ProtosocketEchoConnector(connector: connector))
            return
        }
        let resolver: any EndpointResolver
        if resolve, case .host(let host, let port) = endpoints[0].address {
            resolver = DNSEndpoints(host: host, port: port)
        } else {
            resolver = StaticEndpoints(endpoints)
        }
        let pooled = PooledEchoConnector(
            resolver: resolver,
            connector: connector,
            balancing: balancing.loadBalancing,
            timeout: timeoutMs.map { .milliseconds($0) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pooled.pool.run() }
            defer { pooled.pool.close() }
            try await load.execute(host: "", port: 0, connector: pooled)
        }
        for (endpoint, calls) in pooled.servedPerEndpoint {
            print("endpoint \(endpoint): \(calls) calls answered")
        }
    }
}

/// `--balancing`.
enum Balancing: String, ExpressibleByArgument, CaseIterable {
    case roundRobin = "round-robin"
    case powerOfTwoChoices = "power-of-two-choices"

    var loadBalancing: LoadBalancing {
        switch self {
        case .roundRobin: .roundRobin
        case .powerOfTwoChoices: .powerOfTwoChoices
        }
    }
}
