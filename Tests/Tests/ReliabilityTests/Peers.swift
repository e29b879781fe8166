import EchoProto
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Protosocket
import ProtosocketClient
import ProtosocketProto
import Spillway
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A TCP peer that speaks raw bytes: it writes what the test gives it and keeps
/// what it receives (or, with `reads: false`, never reads at all).
final class RawPeer: Sendable {
    let channel: any Channel
    let received: NIOLockedValueBox<ByteBuffer>

    private init(channel: any Channel, received: NIOLockedValueBox<ByteBuffer>) {
        self.channel = channel
        self.received = received
    }

    /// How many bytes have arrived.
    var receivedCount: Int {
        received.withLockedValue { $0.readableBytes }
    }

    /// The echo responses received so far, decoded.
    var responses: [Echo_Response] {
        var bytes = received.withLockedValue { $0 }
        var codec = ProtobufCodec<Echo_Response, Echo_Request>()
        var responses: [Echo_Response] = []
        while case .message(let response, let consumed) = codec.decode(bytes) {
            responses.append(response)
            bytes.moveReaderIndex(forwardBy: consumed)
        }
        return responses
    }

    static func connect(port: Int, reads: Bool = true) async throws -> RawPeer {
        let received = NIOLockedValueBox(ByteBuffer())
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(testTimeout(seconds: 10)))
            .channelOption(ChannelOptions.autoRead, value: reads)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteCollector(received: received))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return RawPeer(channel: channel, received: received)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
    }

    /// Closes with a TCP reset (`SO_LINGER` of zero) instead of a FIN.
    func reset() async {
        try? await (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        try? await channel.close()
    }

    func close() async {
        try? await channel.close()
    }

    /// Waits until the server has closed the connection.
    func closedByServer() async {
        // A reset fails the close future; either way the connection is closed.
        try? await channel.closeFuture.get()
    }
}

/// Keeps every received byte.
private final class ByteCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let received: NIOLockedValueBox<ByteBuffer>

    init(received: NIOLockedValueBox<ByteBuffer>) {
        self.received = received
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.withLockedValue { _ = $0.writeBuffer(&bytes) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Frames `request` as the echo server expects it (varint length, then protobuf).
func frame(_ request: Echo_Request) throws -> [UInt8] {
    var codec = ProtobufCodec<Echo_Response, Echo_Request>()
    var buffer = ByteBuffer()
    try codec.encode(request, into: &buffer)
    return Array(buffer.readableBytesView)
}

/// A peer that speaks the echo protocol but leaves ids and control codes to the
/// test: it sends the requests it is given as they are and records every response.
struct WirePeer {
    let connection: ClientConnection<Echo_Request>
    let responses: NIOLockedValueBox<[Echo_Response]>

    static func connect(port: Int) async throws -> WirePeer {
        let responses = NIOLockedValueBox<[Echo_Response]>([])
        let connection = try await TCPConnector(connectTimeout: testTimeout(seconds: 10), logger: quietLogger).connect(
            host: "127.0.0.1",
            port: port,
            factory: RecordingFactory(responses: responses)
        )
        return WirePeer(connection: connection, responses: responses)
    }

    func send(_ request: Echo_Request) throws {
        try connection.sender.send(request)
    }

    var received: [Echo_Response] {
        responses.withLockedValue { $0 }
    }
}

private struct RecordingFactory: ConnectionFactory {
    let responses: NIOLockedValueBox<[Echo_Response]>

    func makeCodec() -> ProtobufCodec<Echo_Response, Echo_Request> { ProtobufCodec() }

    func makeReactor(_ context: ConnectionContext<Echo_Request>) -> RecordingReactor {
        RecordingReactor(responses: responses)
    }
}

private struct RecordingReactor: MessageReactor {
    typealias Command = Echo_Request
    let responses: NIOLockedValueBox<[Echo_Response]>

    mutating func onInbound(_ response: Echo_Response) -> ReactorAction {
        responses.withLockedValue { $0.append(response) }
        return .continue
    }
}
