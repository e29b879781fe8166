import NIOCore
import ProtosocketProto
import ProtosocketRPC

/// The echo RPC service of DESIGN §8, for any number of connections.
///
/// - Unary: the response echoes the request's `message` and `nanotime`.
/// - Stream: one `EchoStream` per byte of `message` (that byte as a one-character
///   string, `sequence` its index), then `end`.
/// - A request without a body is answered with `cancel`.
public struct EchoService: RPCResponderFactory {
    /// The largest message accepted from a client.
    public var maximumMessageSize: Int
    /// When set, each unary echo is answered after this delay (a slow server, for
    /// load-balancing experiments).
    public var unaryDelay: Duration?

    public init(maximumMessageSize: Int = 4 << 20, unaryDelay: Duration? = nil) {
        self.maximumMessageSize = maximumMessageSize
        self.unaryDelay = unaryDelay
    }

    public func makeCodec() -> ProtobufCodec<Echo_Request, Echo_Response> {
        ProtobufCodec(maximumMessageSize: maximumMessageSize)
    }

    public func makeResponder(context: RPCConnectionContext) -> EchoResponder {
        EchoResponder(unaryDelay: unaryDelay)
    }
}

/// One connection of ``EchoService``. Nothing it answers needs a task: unary
/// echoes are immediate (unless delayed), and a stream's responses are all
/// available at once, so the connection pulls them as it has room to send.
public struct EchoResponder: RPCResponder {
    let unaryDelay: Duration?

    public init(unaryDelay: Duration? = nil) {
        self.unaryDelay = unaryDelay
    }

    public mutating func answer(_ request: Echo_Request) -> RPCAnswer<Echo_Response> {
        guard request.hasBody else {
            return .cancelled
        }
        let body = request.body
        switch request.responseBehavior {
        case .unary, .UNRECOGNIZED:
            let response = Echo_Response.with {
                $0.echo = .with {
                    $0.message = body.message
                    $0.nanotime = body.nanotime
                }
            }
            guard let unaryDelay else {
                return .response(response)
            }
            return .deferred {
                try await Task.sleep(for: unaryDelay)
                return response
            }
        case .stream:
            return .stream(EchoStreamSequence(message: body.message, nanotime: body.nanotime))
        }
    }
}

/// The responses of a streamed echo: one per byte of the message.
struct EchoStreamSequence: Sequence {
    typealias Element = Echo_Response

    let message: String
    let nanotime: UInt64

    /// Each ASCII character as a string, made once (making a string per response
    /// showed in profiles).
    static let asciiCharacters: [String] = (0..<0x80).map { String(Unicode.Scalar(UInt8($0))) }

    func makeIterator() -> Iterator {
        Iterator(bytes: Array(message.utf8), nanotime: nanotime, asciiCharacters: Self.asciiCharacters)
    }

    struct Iterator: IteratorProtocol {
        let bytes: [UInt8]
        let nanotime: UInt64
        let asciiCharacters: [String]
        var index = 0

        mutating func next() -> Echo_Response? {
            guard index < bytes.count else {
                return nil
            }
            defer { index += 1 }
            let byte = bytes[index]
            // An ASCII byte is its own character; any other byte alone is not
            // UTF-8, and decodes as U+FFFD.
            let character = byte < 0x80 ? asciiCharacters[Int(byte)] : String(decoding: CollectionOfOne(byte), as: UTF8.self)
            let sequence = UInt64(index)
            return .with {
                $0.stream = .with {
                    $0.message = character
                    $0.nanotime = nanotime
                    $0.sequence = sequence
                }
            }
        }
    }
}
