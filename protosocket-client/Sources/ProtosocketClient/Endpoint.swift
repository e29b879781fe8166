/// Where a server can be reached: a host name or address and a port, or the path
/// of a Unix domain socket.
///
/// Its ``description`` is its canonical text, `host:port` (`[v6]:port` for an
/// IPv6 address) or `unix:/path`, which ``init(parsing:)`` reads back. Pools hash
/// that text to route keys, so it is stable across processes and releases.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// What the endpoint names.
    public enum Address: Hashable, Sendable {
        /// A host name or IP address and a TCP port.
        case host(String, port: Int)
        /// The filesystem path of a Unix domain socket.
        case unixDomainSocket(path: String)
    }

    /// What the endpoint names.
    public var address: Address

    /// An endpoint for `address`.
    public init(_ address: Address) {
        self.address = address
    }

    /// A host name or IP address and a TCP port.
    public static func host(_ host: String, port: Int) -> Endpoint {
        Endpoint(.host(host, port: port))
    }

    /// The filesystem path of a Unix domain socket.
    public static func unixDomainSocket(path: String) -> Endpoint {
        Endpoint(.unixDomainSocket(path: path))
    }

    /// Reads `host:port`, `[v6]:port` or `unix:/path`; `nil` for anything else
    /// (a missing or out-of-range port, an empty host or path).
    public init?(parsing text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard !path.isEmpty else {
                return nil
            }
            self = .unixDomainSocket(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else {
            return nil
        }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            // An IPv6 address needs brackets, or its last group reads as the port.
            return nil
        }
        guard !host.isEmpty else {
            return nil
        }
        self = .host(String(host), port: port)
    }

    /// `host:port`, `[v6]:port` or `unix:/path`.
    public var description: String {
        switch address {
        case .host(let host, let port) where host.contains(":"):
            "[\(host)]:\(port)"
        case .host(let host, let port):
            "\(host):\(port)"
        case .unixDomainSocket(let path):
            "unix:\(path)"
        }
    }
}
