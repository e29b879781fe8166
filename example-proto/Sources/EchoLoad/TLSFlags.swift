import ArgumentParser
import ProtosocketClientTLS
import ProtosocketServerTLS

/// The server's TLS flags: a certificate chain and key turn TLS on.
public struct ServerTLSFlags: ParsableArguments {
    @Option(help: "Serve TLS with this certificate chain (PEM); needs --tls-key.")
    public var tlsCert: String?

    @Option(help: "The private key (PEM) of --tls-cert.")
    public var tlsKey: String?

    public init() {}

    public func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together.")
        }
    }

    /// The TLS layer the flags ask for, if any.
    public func makeServerTLS() throws -> ServerTLS? {
        guard let tlsCert, let tlsKey else {
            return nil
        }
        return try ServerTLS(certificateChainFile: tlsCert, privateKeyFile: tlsKey)
    }
}

/// A client's TLS flags: a root to trust, or no verification at all.
public struct ClientTLSFlags: ParsableArguments {
    @Option(help: "Connect over TLS, trusting the certificate authority (or self-signed certificate) in this PEM file.")
    public var tlsCa: String?

    @Flag(help: "Connect over TLS without verifying the server's certificate: for development only.")
    public var tlsInsecure = false

    public init() {}

    public func validate() throws {
        if tlsCa != nil && tlsInsecure {
            throw ValidationError("--tls-ca and --tls-insecure exclude each other.")
        }
    }

    /// Whether the flags ask for TLS.
    public var isEnabled: Bool {
        tlsCa != nil || tlsInsecure
    }

    /// The TLS layer the flags ask for; `defaultRoot` is trusted when TLS is wanted
    /// but neither flag says how to verify.
    public func makeClientTLS(defaultRoot: String? = nil) throws -> ClientTLS? {
        if tlsInsecure {
            return try .insecureWithoutVerificationForDevelopmentOnly()
        }
        guard let root = tlsCa ?? defaultRoot else {
            return nil
        }
        return try ClientTLS(trustRootsFile: root)
    }
}
