import NIOCore
import NIOPosix
import ProtosocketClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an ``RPCClientPool`` finds its endpoints. The pool calls ``resolve()``
/// when it starts, then every ``refreshInterval``, and sooner after an endpoint's
/// connect fails or its connection dies.
public protocol EndpointResolver: Sendable {
    /// The endpoints to use now.
    ///
    /// - Throws: When they cannot be found; the pool keeps the list it has.
    func resolve() async throws -> [Endpoint]
    /// How often to resolve again; `nil` for never (a fixed list).
    var refreshInterval: Duration? { get }
}

/// A fixed list of endpoints.
public struct StaticEndpoints: EndpointResolver {
    /// The endpoints.
    public var endpoints: [Endpoint]

    /// A resolver that always answers `endpoints`.
    public init(_ endpoints: [Endpoint]) {
        self.endpoints = endpoints
    }

    /// The list, as given.
    public func resolve() async throws -> [Endpoint] {
        endpoints
    }

    /// `nil`: the list never changes.
    public var refreshInterval: Duration? { nil }
}

/// Every address (A and AAAA records) a DNS name resolves to, with one port.
///
/// Resolution uses the system resolver (`getaddrinfo`, so `/etc/hosts` counts) on
/// NIO's blocking-I/O thread pool, never on an event loop or the cooperative pool.
public struct DNSEndpoints: EndpointResolver {
    /// The name to resolve.
    public var host: String
    /// The port of every endpoint.
    public var port: Int
    /// How often to resolve again.
    public var refreshInterval: Duration?

    /// Resolves `host` every `refreshInterval` (30 s by default).
    public init(host: String, port: Int, refreshInterval: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.refreshInterval = refreshInterval
    }

    /// The addresses `host` has now, each with ``port``, sorted and without
    /// duplicates.
    ///
    /// - Throws: ``DNSResolutionError`` when the name does not resolve.
    public func resolve() async throws -> [Endpoint] {
        let host = self.host
        let port = self.port
        let addresses = try await NIOThreadPool.singleton.runIfActive {
            try Self.lookUp(host)
        }
        return Self.endpoints(addresses: addresses, port: port)
    }

    /// `addresses` with `port`, sorted and without duplicates.
    static func endpoints(addresses: [String], port: Int) -> [Endpoint] {
        Array(Set(addresses)).sorted().map { Endpoint.host($0, port: port) }
    }

    /// The numeric addresses `host` resolves to (TCP, IPv4 and IPv6).
    static func lookUp(_ host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = CInt(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw DNSResolutionError(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var next = list
        while let info = next {
            if let address = info.pointee.ai_addr {
                var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(address, info.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                    addresses.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
            }
            next = info.pointee.ai_next
        }
        return addresses
    }
}

/// A DNS name did not resolve.
public struct DNSResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name.
    public var host: String
    /// The resolver's reason.
    public var reason: String

    /// Says which name failed and why.
    public var description: String {
        "could not resolve \(host): \(reason)"
    }
}
