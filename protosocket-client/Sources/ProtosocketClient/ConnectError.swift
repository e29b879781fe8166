import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connection could not be established: which address, and why.
///
/// ```text
/// could not connect to 127.0.0.1:9000: 127.0.0.1:9000: connection refused
/// ```
public struct ConnectError: Error, CustomStringConvertible {
    /// The address asked for, as `host:port` (or the socket address).
    public let peer: String
    /// What failed underneath (NIO's error).
    public let cause: any Error

    @inlinable
    public init(peer: String, cause: any Error) {
        self.peer = peer
        self.cause = cause
    }

    public var description: String {
        "could not connect to \(peer): \(Self.describe(cause))"
    }

    /// The cause in a few words: one entry per address tried.
    static func describe(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError {
            var parts = failure.connectionErrors.map { "\($0.target): \(describe($0.error))" }
            if let dns = failure.dnsAError ?? failure.dnsAAAAError, parts.isEmpty {
                parts.append("name resolution failed: \(dns)")
            }
            return parts.isEmpty ? "\(failure)" : parts.joined(separator: "; ")
        }
        if let io = error as? IOError {
            return String(cString: strerror(io.errnoCode)).lowercased()
        }
        if case ChannelError.connectTimeout(let timeout) = error {
            return "no answer within \(timeout.nanoseconds / 1_000_000) ms"
        }
        return "\(error)"
    }
}
