import NIOCore
import NIOSSL
import NIOTLS
import Protosocket
import ProtosocketServer

/// TLS for a ``ProtosocketServer/ConnectionServer``: every accepted connection
/// is encrypted with the server's certificate chain and private key, and may be
/// required to present a client certificate.
///
/// ```swift
/// let tls = try ServerTLS(certificateChainFile: "server.pem", privateKeyFile: "server.key")
/// let server = try await ConnectionServer.bind(
///     configuration: ServerConfiguration(port: 9443, channelLayers: [tls]),
///     factory: MyFactory()
/// )
/// ```
///
/// A handshake that fails, or that does not complete within ``handshakeTimeout``,
/// ends only that connection, with a log line saying why (at `info`, from the
/// connection's logger, with the peer's address).
public struct ServerTLS: ChannelLayer {
    /// How long a client may take to complete its handshake, from accept.
    public var handshakeTimeout: Duration
    private let context: NIOSSLContext

    /// Serves TLS with the given certificate chain and key (PEM files).
    ///
    /// - Parameters:
    ///   - certificateChainFile: The server's certificate, then any intermediates.
    ///   - privateKeyFile: The certificate's private key.
    ///   - clientCertificateTrustRoots: When set, each client must present a
    ///     certificate that chains to one of these roots; otherwise clients are not
    ///     asked for one.
    ///   - handshakeTimeout: How long a client may take to complete its handshake.
    /// - Throws: When a file cannot be read or parsed, or the key does not match.
    public init(
        certificateChainFile: String,
        privateKeyFile: String,
        clientCertificateTrustRoots: NIOSSLTrustRoots? = nil,
        handshakeTimeout: Duration = .seconds(10)
    ) throws {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificateChainFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem))
        )
        if let clientCertificateTrustRoots {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = clientCertificateTrustRoots
        }
        try self.init(configuration: configuration, handshakeTimeout: handshakeTimeout)
    }

    /// Serves TLS as `configuration` (a server configuration of swift-nio-ssl) says.
    ///
    /// - Throws: When swift-nio-ssl cannot make a context from `configuration`.
    public init(configuration: TLSConfiguration, handshakeTimeout: Duration = .seconds(10)) throws {
        context = try NIOSSLContext(configuration: configuration)
        self.handshakeTimeout = handshakeTimeout
    }

    /// Adds the TLS handler; ready when the handshake completes, when the
    /// certificate the peer presented (verified) is recorded in `peer`.
    public func addHandlers(to channel: any Channel, serverHost: String?, peer: PeerIdentity) throws -> EventLoopFuture<Void> {
        let readiness = LayerReadinessHandler(eventLoop: channel.eventLoop, timeout: handshakeTimeout) { event in
            guard case TLSUserEvent.handshakeCompleted = event else {
                return false
            }
            let tls = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            peer.setCertificate(try? tls?.peerCertificate?.toDERBytes())
            return true
        }
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(NIOSSLServerHandler(context: context))
        try pipeline.addHandler(readiness)
        return readiness.ready
    }
}
