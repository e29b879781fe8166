/// An address as the `HOST` variable gives it: `host`, `host:port`, `[v6]` or
/// `[v6]:port` (upstream's example server reads `HOST=127.0.0.1:9000`).
public struct HostAndPort: Equatable, Sendable {
    public var host: String
    public var port: Int?

    public init(parsing text: String) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            port = rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil
        } else if text.filter({ $0 == ":" }).count == 1,
            let colon = text.firstIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...])
        {
            host = String(text[..<colon])
            self.port = port
        } else {
            // A bare IPv6 address has several colons: no port.
            host = text
            port = nil
        }
    }
}
