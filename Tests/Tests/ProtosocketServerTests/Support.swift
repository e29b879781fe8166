import Logging
import NIOCore
import Protosocket
import ProtosocketClient
import ProtosocketServer
import Spillway
import TestSupport

/// A client connection factory whose reactor hands every received line to a stream.
struct LineSinkFactory: ConnectionFactory {
    let lines: AsyncStream<String>.Continuation
    /// Lines the reactor writes by itself, from `pollOutbound`, once connected.
    var produce: [String] = []

    func makeCodec() -> LineCodec { LineCodec() }

    func makeReactor(_ context: ConnectionContext<String>) -> LineSinkReactor {
        LineSinkReactor(lines: lines, produce: produce)
    }
}

struct LineSinkReactor: MessageReactor {
    typealias Command = String

    let lines: AsyncStream<String>.Continuation
    var produce: [String]

    mutating func onInbound(_ line: String) -> ReactorAction {
        lines.yield(line)
        return .continue
    }

    mutating func pollOutbound(budget: Int) -> OutboundPoll<String> {
        produce.isEmpty ? .idle : .produced(produce.removeFirst())
    }

    mutating func onClose(_ reason: CloseReason) {
        lines.finish()
    }
}

/// A line client: its connection and the lines it receives.
struct LineClient {
    let connection: ClientConnection<String>
    let lines: AsyncStream<String>

    static func connect(to server: SocketAddress?, producing produce: [String] = []) async throws -> LineClient {
        guard let port = server?.port else {
            throw NoServerAddress()
        }
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let connection = try await TCPConnector(logger: quietLogger)
            .connect(host: "127.0.0.1", port: port, factory: LineSinkFactory(lines: continuation, produce: produce))
        return LineClient(connection: connection, lines: lines)
    }

    /// The next `count` lines received.
    func receive(_ count: Int) async -> [String] {
        var received: [String] = []
        for await line in lines {
            received.append(line)
            if received.count == count {
                break
            }
        }
        return received
    }
}

func bindEchoServer(grace: Duration = .seconds(10)) async throws -> ConnectionServer<LineEchoFactory> {
    try await ConnectionServer.bind(
        configuration: ServerConfiguration(host: "127.0.0.1", port: 0, shutdownGracePeriod: grace),
        factory: LineEchoFactory(),
        logger: quietLogger
    )
}

struct NoServerAddress: Error {}
