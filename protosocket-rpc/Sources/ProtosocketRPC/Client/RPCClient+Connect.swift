import Logging
import NIOCore
import Protosocket
import ProtosocketClient

extension RPCClient {
    /// Connects to an RPC server and returns a client ready for calls.
    ///
    /// - Parameters:
    ///   - host: The server's host name or address.
    ///   - port: The server's port.
    ///   - connector: How to connect (connection limits, socket options, timeout).
    ///   - streamBufferLimit: The most responses a streaming call buffers before the
    ///     connection stops reading until its consumer catches up.
    ///   - makeCodec: The codec of the connection: requests out, responses in.
    /// - Throws: When the connection cannot be established.
    @inlinable
    public static func connect<Codec: MessageCodec>(
        host: String,
        port: Int,
        connector: TCPConnector = TCPConnector(),
        streamBufferLimit: Int = 1024,
        makeCodec: @escaping @Sendable () -> Codec
    ) async throws -> RPCClient
    where Codec.OutboundMessage == Request, Codec.InboundMessage == Response {
        let factory = ClientFactory<Codec, Request, Response>(codecMaker: makeCodec)
        let connection = try await connector.connect(host: host, port: port, factory: factory)
        return RPCClient(connection: connection, streamBufferLimit: streamBufferLimit)
    }

    /// Connects to `address`; see ``connect(host:port:connector:streamBufferLimit:makeCodec:)``.
    @inlinable
    public static func connect<Codec: MessageCodec>(
        to address: SocketAddress,
        connector: TCPConnector = TCPConnector(),
        streamBufferLimit: Int = 1024,
        makeCodec: @escaping @Sendable () -> Codec
    ) async throws -> RPCClient
    where Codec.OutboundMessage == Request, Codec.InboundMessage == Response {
        let factory = ClientFactory<Codec, Request, Response>(codecMaker: makeCodec)
        let connection = try await connector.connect(to: address, factory: factory)
        return RPCClient(connection: connection, streamBufferLimit: streamBufferLimit)
    }
}

/// Makes the codec and the client reactor of an RPC client connection.
@usableFromInline
struct ClientFactory<Codec: MessageCodec, Request: RPCMessage, Response: RPCMessage>: ConnectionFactory
where Codec.OutboundMessage == Request, Codec.InboundMessage == Response {
    @usableFromInline
    let codecMaker: @Sendable () -> Codec

    @inlinable
    init(codecMaker: @escaping @Sendable () -> Codec) {
        self.codecMaker = codecMaker
    }

    @inlinable
    func makeCodec() -> Codec {
        codecMaker()
    }

    @inlinable
    func makeReactor(_ context: ConnectionContext<ClientCommand<Request, Response>>) -> ClientReactor<Request, Response> {
        ClientReactor()
    }
}
