import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `SO_REUSEPORT` has no named NIO option in 2.101.
@usableFromInline
let reusePort = NIOBSDSocket.Option(rawValue: SO_REUSEPORT)
