import Protosocket

/// How a ``ConnectionServer`` listens and what its connections may use.
public struct ServerConfiguration: Sendable {
    /// Where the server listens.
    public enum ListenAddress: Sendable, Hashable {
        /// A host address and TCP port; port 0 picks a free port (see
        /// ``ConnectionServer/localAddress``).
        case host(String, port: Int)
        /// A Unix domain socket at `path`. A socket file an earlier run left there
        /// is removed first. TCP options do not apply.
        case unixDomainSocket(path: String)
        /// A socket that is already bound, handed over as a file descriptor
        /// (socket activation: systemd passes the first one as descriptor 3). The
        /// server listens on it and owns it from then on; it may be TCP or Unix.
        case boundSocket(descriptor: CInt)
    }

    /// Where the server listens.
    public var listenAddress: ListenAddress
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
    /// One listening socket per event loop of the server's group, all on the same
    /// host and port with `SO_REUSEPORT`: the kernel spreads new connections over
    /// them and each connection stays on the loop that accepted it, with no
    /// hand-off between loops (the layout of the Rust protosocket). TCP only; off
    /// by default. See `Benchmarks/README.md` for what it changed here.
    public var listenerPerEventLoop: Bool
    /// The listen backlog (the operating system may cap it).
    public var backlog: Int32
    /// How long graceful shutdown lets open connections finish before closing them.
    public var shutdownGracePeriod: Duration
    /// Layers under each accepted connection (TLS, for example), first one nearest
    /// the socket; none by default.
    public var channelLayers: [any ChannelLayer]

    /// A server listening on `host`:`port` over TCP.
    public init(
        host: String = "127.0.0.1",
        port: Int,
        connection: ConnectionConfiguration = .server,
        tcp: TCPOptions = TCPOptions(),
        reuseAddress: Bool = true,
        reusePort: Bool = false,
        listenerPerEventLoop: Bool = false,
        backlog: Int32 = 65_536,
        shutdownGracePeriod: Duration = .seconds(10),
        channelLayers: [any ChannelLayer] = []
    ) {
        self.init(
            listenAddress: .host(host, port: port),
            connection: connection,
            tcp: tcp,
            reuseAddress: reuseAddress,
            reusePort: reusePort,
            listenerPerEventLoop: listenerPerEventLoop,
            backlog: backlog,
            shutdownGracePeriod: shutdownGracePeriod,
            channelLayers: channelLayers
        )
    }

    /// A server listening on `listenAddress`: TCP, a Unix domain socket, or a
    /// socket bound elsewhere. `reuseAddress` and `reusePort` apply to TCP only.
    public init(
        listenAddress: ListenAddress,
        connection: ConnectionConfiguration = .server,
        tcp: TCPOptions = TCPOptions(),
        reuseAddress: Bool = true,
        reusePort: Bool = false,
        listenerPerEventLoop: Bool = false,
        backlog: Int32 = 65_536,
        shutdownGracePeriod: Duration = .seconds(10),
        channelLayers: [any ChannelLayer] = []
    ) {
        self.listenAddress = listenAddress
        self.connection = connection
        self.tcp = tcp
        self.reuseAddress = reuseAddress
        self.reusePort = reusePort
        self.listenerPerEventLoop = listenerPerEventLoop
        self.backlog = backlog
        self.shutdownGracePeriod = shutdownGracePeriod
        self.channelLayers = channelLayers
    }
}
