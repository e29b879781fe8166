import Logging
import NIOCore
import NIOPosix
import Protosocket

/// Opens plain TCP protosocket connections.
///
/// ```swift
/// let connector = TCPConnector()
/// let connection = try await connector.connect(host: "127.0.0.1", port: 9000, factory: MyFactory())
/// try connection.sender.send("hello")
/// ```
public struct TCPConnector: Sendable {
    /// Buffer and queue limits of each connection.
    public var configuration: ConnectionConfiguration
    /// Socket options (`TCP_NODELAY` on, keepalive off by default).
    public var tcp: TCPOptions
    /// How long a connect attempt may take.
    public var connectTimeout: Duration
    public var group: any EventLoopGroup
    public var logger: Logger

    public init(
        configuration: ConnectionConfiguration = .client,
        tcp: TCPOptions = TCPOptions(),
        connectTimeout: Duration = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "protosocket.client")
    ) {
        self.configuration = configuration
        self.tcp = tcp
        self.connectTimeout = connectTimeout
        self.group = group
        self.logger = logger
    }

    /// Connects to `host`:`port` and starts a connection whose codec and reactor
    /// come from `factory`.
    ///
    /// - Throws: When the connection cannot be established.
    @inlinable
    public func connect<Factory: ConnectionFactory>(
        host: String,
        port: Int,
        factory: Factory
    ) async throws -> ClientConnection<Factory.Reactor.OutboundMessage> {
        try await connect(factory: factory) { bootstrap in
            bootstrap.connect(host: host, port: port)
        }
    }

    /// Connects to `address`; see ``connect(host:port:factory:)``.
    @inlinable
    public func connect<Factory: ConnectionFactory>(
        to address: SocketAddress,
        factory: Factory
    ) async throws -> ClientConnection<Factory.Reactor.OutboundMessage> {
        try await connect(factory: factory) { bootstrap in
            bootstrap.connect(to: address)
        }
    }

    @inlinable
    func connect<Factory: ConnectionFactory>(
        factory: Factory,
        _ open: (ClientBootstrap) -> EventLoopFuture<any Channel>
    ) async throws -> ClientConnection<Factory.Reactor.OutboundMessage> {
        let configuration = self.configuration
        let tcp = self.tcp
        let logger = self.logger
        let loop = group.next()
        let made = loop.makePromise(of: ConnectionContext<Factory.Reactor.OutboundMessage>.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try tcp.apply(to: channel)
                    made.succeed(try factory.addHandler(to: channel, configuration: configuration, logger: logger))
                }
            }
        do {
            let channel = try await open(bootstrap).get()
            let context = try await made.futureResult.get()
            return ClientConnection(sender: context.sender, waker: context.waker, channel: channel)
        } catch {
            made.fail(error)
            throw error
        }
    }
}
