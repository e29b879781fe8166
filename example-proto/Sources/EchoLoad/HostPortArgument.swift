import ArgumentParser

/// A `host:port` given on the command line (the gRPC client's `--endpoint`).
public struct HostPortArgument: Sendable {
    public var host: String
    public var port: Int

    /// - Throws: `ValidationError` when `text` is not `host:port`.
    public init(_ text: String) throws {
        guard
            let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port),
            colon != text.startIndex
        else {
            throw ValidationError("expected host:port, got '\(text)'")
        }
        host = String(text[..<colon])
        self.port = port
    }
}
