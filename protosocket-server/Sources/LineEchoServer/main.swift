// A line echo ("telnet") server: every line a client sends comes back.
//
//   swift run --package-path protosocket-server line-echo-server [port]
//   nc 127.0.0.1 9000
//
// Stops gracefully on SIGINT or SIGTERM. The code between `// snippet:` and
// `// end snippet` is shown in the Protosocket documentation's "Getting started"
// (`scripts/doc-snippets.py` checks they are the same).
import Logging
import NIOCore
import Protosocket
import ProtosocketServer
import ServiceLifecycle
import Spillway

// snippet: codec
/// Lines of UTF-8 text ending in `\n` (a `\r` before it is dropped).
struct LineCodec: MessageEncoder, MessageDecoder {
    /// The longest line accepted, in bytes.
    let maximumLineLength = 64 * 1024

    mutating func encode(_ line: String, into buffer: inout ByteBuffer) {
        buffer.writeString(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<String> {
        let bytes = buffer.readableBytesView
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            if bytes.count > maximumLineLength {
                return .invalid(reason: "a line longer than \(maximumLineLength) bytes")
            }
            return .incomplete(totalSize: nil)
        }
        var end = newline
        if end > bytes.startIndex && bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        let line = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
        return .message(line, consumed: newline - bytes.startIndex + 1)
    }
}

// end snippet

// snippet: reactor
struct LineEchoFactory: ConnectionFactory {
    func makeCodec() -> LineCodec { LineCodec() }

    func makeReactor(_ context: ConnectionContext<String>) -> LineEchoReactor {
        LineEchoReactor(sender: context.sender)
    }
}

/// Sends every line back through the connection's queue.
struct LineEchoReactor: MessageReactor {
    typealias Command = String
    let sender: Sender<String>

    mutating func onInbound(_ line: String) -> ReactorAction {
        do {
            try sender.send(line)
            return .continue
        } catch {
            return .disconnect
        }
    }
}

// end snippet

var logger = Logger(label: "line-echo-server")
logger.logLevel = .info
let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 9000
// snippet: serve
let server = try await ConnectionServer.bind(
    configuration: ServerConfiguration(host: "127.0.0.1", port: port, shutdownGracePeriod: .seconds(2)),
    factory: LineEchoFactory(),
    logger: logger
)
let group = ServiceGroup(
    configuration: ServiceGroupConfiguration(
        services: [.init(service: server)],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger
    )
)
try await group.run()
// end snippet
