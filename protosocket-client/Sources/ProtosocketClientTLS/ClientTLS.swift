import NIOCore
import NIOSSL
import NIOTLS
import Protosocket
import ProtosocketClient

/// TLS for a ``ProtosocketClient/TCPConnector``: each connection is encrypted,
/// and the server's certificate is checked against trust roots and the name
/// connected to, before `connect` returns.
///
/// ```swift
/// let connector = TCPConnector(channelLayers: [try ClientTLS(trustRootsFile: "ca.pem")])
/// let connection = try await connector.connect(host: "localhost", port: 9443, factory: MyFactory())
/// ```
///
/// A certificate that does not verify makes `connect` throw swift-nio-ssl's
/// handshake error (its description names the reason, such as
/// `CERTIFICATE_VERIFY_FAILED`).
public struct ClientTLS: ChannelLayer {
    /// The name to send (SNI) and to check the server's certificate against;
    /// `nil` uses the host given to `connect` (an IP address is checked against
    /// the certificate's IP addresses and not sent).
    public var serverName: String?
    /// How long the handshake may take, from the TCP connect.
    public var handshakeTimeout: Duration
    private let context: NIOSSLContext

    /// A client that verifies the server's certificate chain and name.
    ///
    /// - Parameters:
    ///   - trustRoots: The roots the server's chain must lead to; the system's by
    ///     default.
    ///   - certificateChainFile: A client certificate to present (PEM), for servers
    ///     that require one; with `privateKeyFile`.
    ///   - privateKeyFile: The client certificate's private key (PEM).
    ///   - serverName: See ``serverName``.
    ///   - handshakeTimeout: How long the handshake may take.
    /// - Throws: When a file cannot be read or parsed.
    public init(
        trustRoots: NIOSSLTrustRoots = .default,
        certificateChainFile: String? = nil,
        privateKeyFile: String? = nil,
        serverName: String? = nil,
        handshakeTimeout: Duration = .seconds(10)
    ) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = trustRoots
        if let certificateChainFile, let privateKeyFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateChainFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem))
        }
        try self.init(configuration: configuration, serverName: serverName, handshakeTimeout: handshakeTimeout)
    }

    /// A client that verifies the server against the roots in a PEM file (a private
    /// certificate authority, or a self-signed certificate).
    ///
    /// - Throws: When the file cannot be read or parsed.
    public init(trustRootsFile: String, serverName: String? = nil, handshakeTimeout: Duration = .seconds(10)) throws {
        try self.init(
            trustRoots: .certificates(try NIOSSLCertificate.fromPEMFile(trustRootsFile)),
            serverName: serverName,
            handshakeTimeout: handshakeTimeout
        )
    }

    /// A client as `configuration` (a client configuration of swift-nio-ssl) says.
    ///
    /// - Throws: When swift-nio-ssl cannot make a context from `configuration`.
    public init(configuration: TLSConfiguration, serverName: String? = nil, handshakeTimeout: Duration = .seconds(10)) throws {
        context = try NIOSSLContext(configuration: configuration)
        self.serverName = serverName
        self.handshakeTimeout = handshakeTimeout
    }

    /// A client that encrypts but accepts **any** server certificate, so it does not
    /// know whom it talks to: for development against a server with a throwaway
    /// certificate only, never in production.
    public static func insecureWithoutVerificationForDevelopmentOnly(
        handshakeTimeout: Duration = .seconds(10)
    ) throws -> ClientTLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return try ClientTLS(configuration: configuration, handshakeTimeout: handshakeTimeout)
    }

    /// Adds the TLS handler; ready when the handshake completes, when the
    /// certificate the peer presented (verified) is recorded in `peer`.
    public func addHandlers(to channel: any Channel, serverHost: String?, peer: PeerIdentity) throws -> EventLoopFuture<Void> {
        let name = serverName ?? serverHost
        // An IP address is not a valid SNI name; without one, swift-nio-ssl checks
        // the certificate against the peer's address.
        let sniName = name.flatMap { (try? SocketAddress(ipAddress: $0, port: 0)) == nil ? $0 : nil }
        let readiness = LayerReadinessHandler(eventLoop: channel.eventLoop, timeout: handshakeTimeout) { event in
            guard case TLSUserEvent.handshakeCompleted = event else {
                return false
            }
            let tls = try? channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            peer.setCertificate(try? tls?.peerCertificate?.toDERBytes())
            return true
        }
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(NIOSSLClientHandler(context: context, serverHostname: sniName))
        try pipeline.addHandler(readiness)
        return readiness.ready
    }
}
