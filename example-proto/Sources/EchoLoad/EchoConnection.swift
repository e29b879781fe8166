import EchoProto
import ProtosocketClient
import ProtosocketClientTLS
import ProtosocketProto
import ProtosocketRPC

/// One connection of an echo client, whatever the RPC system: what the load
/// generator drives. The gRPC comparison in `Benchmarks/` implements it too, so
/// that both are measured by the same code.
public protocol EchoConnection: Sendable {
    /// Whether calls can still succeed.
    var isAlive: Bool { get }
    /// One unary echo.
    func unary(_ request: Echo_Request) async throws -> Echo_Response
    /// One streamed echo; `onResponse` sees each response in order.
    func streaming(_ request: Echo_Request, onResponse: @escaping @Sendable (Echo_Response) -> Void) async throws
    func close() async
}

/// Opens echo connections.
public protocol EchoConnector: Sendable {
    func connect(host: String, port: Int) async throws -> any EchoConnection
}

/// Echo connections over protosocket RPC with the protobuf codec.
public struct ProtosocketEchoConnector: EchoConnector {
    /// How connections are opened (plaintext by default; add a `ClientTLS` layer
    /// for TLS).
    public var connector: TCPConnector

    public init(connector: TCPConnector = TCPConnector()) {
        self.connector = connector
    }

    /// Connections over TLS when `tls` is set, plaintext otherwise.
    public init(tls: ClientTLS?) {
        self.init(connector: TCPConnector(channelLayers: tls.map { [$0] } ?? []))
    }

    public func connect(host: String, port: Int) async throws -> any EchoConnection {
        ProtosocketEchoConnection(client: try await RPCClient.connect(host: host, port: port, connector: connector) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        })
    }
}

struct ProtosocketEchoConnection: EchoConnection {
    let client: RPCClient<Echo_Request, Echo_Response>

    var isAlive: Bool { client.isAlive }

    func unary(_ request: Echo_Request) async throws -> Echo_Response {
        try await client.unary(request)
    }

    func streaming(_ request: Echo_Request, onResponse: @escaping @Sendable (Echo_Response) -> Void) async throws {
        for try await response in client.streaming(request) {
            onResponse(response)
        }
    }

    func close() async {
        await client.close()
    }
}
