import EchoLoad
import EchoProto
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

/// Echo connections over grpc-swift-2 (plaintext HTTP/2), for the load generator.
/// Each is one `GRPCClient`, which keeps one HTTP/2 connection to the server.
public struct GRPCEchoConnector: EchoConnector {
    public init() {}

    public func connect(host: String, port: Int) async throws -> any EchoConnection {
        let client = GRPCClient(
            transport: try .http2NIOPosix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
        )
        let connection = GRPCEchoConnection(client: client)
        connection.start()
        return connection
    }
}

final class GRPCEchoConnection: EchoConnection {
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let echo: Echo_Echo.Client<HTTP2ClientTransport.Posix>
    private let running = Atomic<Bool>(true)
    private let runner = Mutex<Task<Void, Never>?>(nil)

    init(client: GRPCClient<HTTP2ClientTransport.Posix>) {
        self.client = client
        echo = Echo_Echo.Client(wrapping: client)
    }

    func start() {
        let task = Task {
            try? await client.runConnections()
            running.store(false, ordering: .relaxed)
        }
        runner.withLock { $0 = task }
    }

    var isAlive: Bool { running.load(ordering: .relaxed) }

    func unary(_ request: Echo_Request) async throws -> Echo_Response {
        try await echo.unary(request)
    }

    func streaming(_ request: Echo_Request, onResponse: @escaping @Sendable (Echo_Response) -> Void) async throws {
        try await echo.stream(request) { response in
            for try await message in response.messages {
                onResponse(message)
            }
        }
    }

    func close() async {
        client.beginGracefulShutdown()
        await runner.withLock { $0 }?.value
    }
}
