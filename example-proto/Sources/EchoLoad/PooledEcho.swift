import EchoProto
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import Synchronization

/// Echo calls spread over several servers by an `RPCClientPool`: every
/// "connection" the load generator opens is a caller of the same pool, which
/// holds one connection per endpoint. Calls that fail (an endpoint died) are
/// counted by the load generator and the run goes on.
public final class PooledEchoConnector: EchoConnector {
    /// The pool; run it (``RPCClientPool/run()``) while the load runs.
    public let pool: RPCClientPool<Echo_Request, Echo_Response>
    let timeout: Duration?
    /// Calls answered per endpoint. A short list searched in order: cheaper per
    /// call than hashing the endpoint's host name into a dictionary.
    private let served = Mutex<[(endpoint: Endpoint, calls: Int)]>([])

    /// A pool over what `resolver` finds, spreading calls by `balancing`; each
    /// call has `timeout` when given.
    public init(
        resolver: some EndpointResolver,
        connector: TCPConnector = TCPConnector(),
        balancing: LoadBalancing = .powerOfTwoChoices,
        timeout: Duration?
    ) {
        pool = RPCClientPool(resolver: resolver, balancing: balancing, logger: connector.logger) { endpoint in
            try await RPCClient.connect(to: endpoint, connector: connector) {
                ProtobufCodec<Echo_Response, Echo_Request>()
            }
        }
        self.timeout = timeout
    }

    /// Ignores `host` and `port`: the pool's resolver says where to connect.
    public func connect(host: String, port: Int) async throws -> any EchoConnection {
        PooledEchoConnection(connector: self)
    }

    /// Answered calls (and streams) per endpoint, in endpoint order.
    public var servedPerEndpoint: [(endpoint: String, calls: Int)] {
        served.withLock { $0 }.map { (endpoint: $0.endpoint.description, calls: $0.calls) }.sorted { $0.endpoint < $1.endpoint }
    }

    func count(_ endpoint: Endpoint) {
        served.withLock { served in
            if let index = served.firstIndex(where: { $0.endpoint == endpoint }) {
                served[index].calls += 1
            } else {
                served.append((endpoint, 1))
            }
        }
    }
}

struct PooledEchoConnection: EchoConnection {
    let connector: PooledEchoConnector

    var isAlive: Bool { true }

    func unary(_ request: Echo_Request) async throws -> Echo_Response {
        let route = try await connector.pool.route()
        let response: Echo_Response
        if let timeout = connector.timeout {
            response = try await route.client.unary(request, timeout: timeout)
        } else {
            response = try await route.client.unary(request)
        }
        connector.count(route.endpoint)
        return response
    }

    func streaming(_ request: Echo_Request, onResponse: @escaping @Sendable (Echo_Response) -> Void) async throws {
        let route = try await connector.pool.route()
        let stream = connector.timeout.map { route.client.streaming(request, timeout: $0) } ?? route.client.streaming(request)
        for try await response in stream {
            onResponse(response)
        }
        connector.count(route.endpoint)
    }

    func close() async {}
}
