import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Protosocket

/// Opens protosocket connections over TCP (plain, or with ``channelLayers`` such as
/// TLS) or a Unix domain socket.
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
    /// Layers under each connection (TLS, for example), first one nearest the
    /// socket; none by default. ``connect(host:port:factory:)`` returns once every
    /// layer is ready (a TLS handshake is done) and throws its error otherwise.
    public var channelLayers: [any ChannelLayer]

    public init(
        configuration: ConnectionConfiguration = .client,
        tcp: TCPOptions = TCPOptions(),
        connectTimeout: Duration = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "protosocket.client"),
        channelLayers: [any ChannelLayer] = []
    ) {
        self.configuration = configuration
        self.tcp = tcp
        self.connectTimeout = connectTimeout
        self.group = group
        self.logger = logger
        self.channelLayers = channelLayers
    }

    /// Connects to `host`:`port` and starts a connection whose codec and reactor
    /// come from `factory`.
    ///
    /// - Throws: ``ConnectError`` when no connection could be made (it names the
    ///   address and the cause); a layer's error (a failed TLS handshake) as it is.
    @inlinable
    public func connect<Factory: ConnectionFactory>(
        host: String,
        port: Int,
        factory: Factory
    ) async throws -> ClientConnection<Factory.Reactor.Command> {
        try await connect(factory: factory, serverHost: host, peer: "\(host):\(port)") { bootstrap in
            bootstrap.connect(host: host, port: port)
        }
    }

    /// Connects to `address`; see ``connect(host:port:factory:)``.
    @inlinable
    public func connect<Factory: ConnectionFactory>(
        to address: SocketAddress,
        factory: Factory
    ) async throws -> ClientConnection<Factory.Reactor.Command> {
        try await connect(factory: factory, serverHost: nil, peer: "\(address)", isTCP: address.protocol != .unix) { bootstrap in
            bootstrap.connect(to: address)
        }
    }

    /// Connects to `endpoint`: a host and port, or a Unix domain socket (where
    /// ``tcp`` does not apply); see ``connect(host:port:factory:)``.
    @inlinable
    public func connect<Factory: ConnectionFactory>(
        to endpoint: Endpoint,
        factory: Factory
    ) async throws -> ClientConnection<Factory.Reactor.Command> {
        switch endpoint.address {
        case .host(let host, let port):
            try await connect(host: host, port: port, factory: factory)
        case .unixDomainSocket(let path):
            try await connect(factory: factory, serverHost: nil, peer: endpoint.description, isTCP: false) { bootstrap in
                bootstrap.connect(unixDomainSocketPath: path)
            }
        }
    }

    @inlinable
    func connect<Factory: ConnectionFactory>(
        factory: Factory,
        serverHost: String?,
        peer: String,
        isTCP: Bool = true,
        _ open: (ClientBootstrap) -> EventLoopFuture<any Channel>
    ) async throws -> ClientConnection<Factory.Reactor.Command> {
        let configuration = self.configuration
        let tcp = self.tcp
        let logger = {
            var logger = self.logger
            logger[metadataKey: "peer"] = "\(peer)"
            return logger
        }()
        let layers = self.channelLayers
        // Connecting to a host name may try several addresses, each on a channel of
        // its own: keep what each attempt made, and use the one that connected.
        let attempts = NIOLockedValueBox<[ObjectIdentifier: ConnectAttempt<Factory.Reactor.Command>]>([:])
        let bootstrap = ClientBootstrap(group: group.next())
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if isTCP {
                        try tcp.apply(to: channel)
                    }
                    let peer = PeerIdentity()
                    let ready = try layers.map { try $0.addHandlers(to: channel, serverHost: serverHost, peer: peer) }
                    let context = try factory.addHandler(to: channel, configuration: configuration, logger: logger, peer: peer)
                    let attempt = ConnectAttempt(
                        context: context,
                        layersReady: EventLoopFuture.andAllSucceed(ready, on: channel.eventLoop)
                    )
                    attempts.withLockedValue { $0[ObjectIdentifier(channel)] = attempt }
                }
            }
        let channel: any Channel
        do {
            channel = try await open(bootstrap).get()
        } catch {
            throw ConnectError(peer: peer, cause: error)
        }
        do {
            guard let attempt = attempts.withLockedValue({ $0[ObjectIdentifier(channel)] }) else {
                throw ChannelError.inappropriateOperationForState
            }
            try await attempt.layersReady.get()
            return ClientConnection(sender: attempt.context.sender, waker: attempt.context.waker, channel: channel)
        } catch {
            try? await channel.close()
            throw error
        }
    }
}
