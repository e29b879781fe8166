import Protosocket

/// How a ``ProtosocketServer`` listens and what its connections may use.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on; 0 picks a free port (see ``ProtosocketServer/localAddress``).
    public var port: Int
    /// Buffer and queue limits of each connection.
    public var connection: ConnectionConfiguration
    /// Options of each accepted socket (`TCP_NODELAY` on, keepalive off by default).
    public var tcp: TCPOptions
    /// `SO_REUSEADDR` on the listening socket: rebind at once after a restart.
    public var reuseAddress: Bool
    /// `SO_REUSEPORT` on the listening socket: several sockets may listen on the
    /// same port and the kernel spreads connections over them. Off by default:
    /// with it, a second server started by mistake on the same port silently
    /// takes part of the traffic.
    public var reusePort: Bool
    /// The listen backlog (the operating system may cap it).
    public var backlog: Int32
    /// How long graceful shutdown lets open connections finish before closing them.
    public var shutdownGracePeriod: Duration
    /// Layers under each accepted connection (TLS, for example), first one nearest
    /// the socket; none by default.
    public var channelLayers: [any ChannelLayer]

    public init(
        host: String = "127.0.0.1",
        port: Int,
        connection: ConnectionConfiguration = .server,
        tcp: TCPOptions = TCPOptions(),
        reuseAddress: Bool = true,
        reusePort: Bool = false,
        backlog: Int32 = 65_536,
        shutdownGracePeriod: Duration = .seconds(10),
        channelLayers: [any ChannelLayer] = []
    ) {
        self.host = host
        self.port = port
        self.connection = connection
        self.tcp = tcp
        self.reuseAddress = reuseAddress
        self.reusePort = reusePort
        self.backlog = backlog
        self.shutdownGracePeriod = shutdownGracePeriod
        self.channelLayers = channelLayers
    }
}
