#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Socket options of a connection's TCP socket.
public struct TCPOptions: Sendable, Hashable {
    /// `TCP_NODELAY`: send small messages at once instead of batching them (Nagle).
    public var noDelay: Bool
    /// TCP keepalive: probe an idle connection after this long; `nil` leaves it off.
    public var keepAlive: Duration?

    /// Makes options; the defaults turn on `TCP_NODELAY` and leave keepalive off.
    public init(noDelay: Bool = true, keepAlive: Duration? = nil) {
        self.noDelay = noDelay
        self.keepAlive = keepAlive
    }

    /// Applies the options to `channel`; on the channel's event loop only.
    public func apply(to channel: any Channel) throws {
        guard let options = channel.syncOptions else {
            return
        }
        try options.setOption(ChannelOptions.socketOption(.tcp_nodelay), value: noDelay ? 1 : 0)
        guard let keepAlive else {
            return
        }
        let seconds = SocketOptionValue(clamping: max(1, keepAlive.components.seconds))
        try options.setOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
        try options.setOption(ChannelOptions.Types.SocketOption(level: .tcp, name: Self.keepAliveIdle), value: seconds)
        #if canImport(Glibc)
        try options.setOption(ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_KEEPINTVL)), value: seconds)
        #endif
    }

    #if canImport(Glibc)
    private static let keepAliveIdle = NIOBSDSocket.Option(rawValue: TCP_KEEPIDLE)
    #else
    private static let keepAliveIdle = NIOBSDSocket.Option(rawValue: TCP_KEEPALIVE)
    #endif
}
