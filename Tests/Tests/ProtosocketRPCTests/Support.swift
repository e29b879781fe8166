import EchoProto
import protocol CoreMetrics.MetricsFactory
import Logging
import NIOCore
import Protosocket
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import TestSupport

typealias EchoClient = RPCClient<Echo_Request, Echo_Response>

/// A service whose answers the test writes.
struct ScriptedService: RPCResponderFactory {
    let answer: @Sendable (Echo_Request) -> RPCAnswer<Echo_Response>

    func makeCodec() -> ProtobufCodec<Echo_Request, Echo_Response> { ProtobufCodec() }

    func makeResponder(context: RPCConnectionContext) -> ScriptedConnectionService {
        ScriptedConnectionService(script: answer)
    }
}

struct ScriptedConnectionService: RPCResponder {
    let script: @Sendable (Echo_Request) -> RPCAnswer<Echo_Response>

    mutating func answer(_ request: Echo_Request) -> RPCAnswer<Echo_Response> {
        script(request)
    }
}

/// A running server and its port; `close()` stops it and waits for `run()`.
struct TestServer<Service: RPCResponderFactory> {
    let server: RPCServer<Service>
    let port: Int
    let running: Task<Void, any Error>

    static func start(
        _ service: Service,
        limits: RPCServerLimits = RPCServerLimits(),
        metricsFactory: (any MetricsFactory)? = nil
    ) async throws -> TestServer {
        var connection = ConnectionConfiguration.server
        connection.metricsFactory = metricsFactory
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, connection: connection),
            responders: service,
            limits: limits,
            logger: quietLogger
        )
        let running = Task { try await server.run() }
        return TestServer(server: server, port: server.localAddress?.port ?? 0, running: running)
    }

    func connect(
        streamBufferLimit: Int = 1024,
        configuration: ConnectionConfiguration = .client
    ) async throws -> EchoClient {
        try await EchoClient.connect(
            host: "127.0.0.1",
            port: port,
            connector: TCPConnector(configuration: configuration, connectTimeout: testTimeout(seconds: 10), logger: quietLogger),
            streamBufferLimit: streamBufferLimit
        ) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }
    }

    func close() async {
        await server.close()
        _ = await running.result
    }
}

/// A deferred answer that never completes by itself: it counts its start, waits
/// until cancelled, and counts the cancellation.
func waitUntilCancelled(started: Counter, cancelled: Counter) -> RPCAnswer<Echo_Response> {
    .deferred {
        started.increment()
        do {
            try await Task.sleep(for: .seconds(3_600))
        } catch {
            cancelled.increment()
            throw error
        }
        return Echo_Response()
    }
}

/// `count` responses carrying `payload` bytes each, counting every one produced
/// and, in `ended`, the end of iteration (the iterator's release).
struct CountingStream: AsyncSequence, Sendable {
    let count: Int
    let payload: Int
    let produced: Counter
    var ended: Counter? = nil

    func makeAsyncIterator() -> Iterator {
        Iterator(
            remaining: count,
            text: String(repeating: "x", count: payload),
            produced: produced,
            token: ended.map(EndToken.init)
        )
    }

    /// Counts its own release.
    final class EndToken {
        let counter: Counter
        init(_ counter: Counter) { self.counter = counter }
        deinit { counter.increment() }
    }

    struct Iterator: AsyncIteratorProtocol {
        var remaining: Int
        let text: String
        let produced: Counter
        let token: EndToken?

        mutating func next() async -> Echo_Response? {
            guard remaining > 0 else {
                return nil
            }
            remaining -= 1
            let sequence = UInt64(produced.increment())
            return .with { $0.stream = .with { $0.message = text; $0.sequence = sequence } }
        }
    }
}
