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
    /// Verifies client certificates in place of BoringSSL, to learn their chains.
    private var clientCertificateVerifier: ClientCertificateVerifier?

    /// Serves TLS with the given certificate chain and key (PEM files).
    ///
    /// - Parameters:
    ///   - certificateChainFile: The server's certificate, then any intermediates.
    ///   - privateKeyFile: The certificate's private key.
    ///   - clientCertificateTrustRoots: When set, each client must present a
    ///     certificate that chains to one of these roots; otherwise clients are not
    ///     asked for one. Given as certificates or a PEM file, the roots verify
    ///     each client's chain here (RFC 5280, with swift-certificates), and the
    ///     chain verified is recorded in ``Protosocket/PeerIdentity/certificateChain``;
    ///     `.default` (the system's roots) and a directory of roots leave
    ///     verification to BoringSSL, which records only the leaf.
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
        clientCertificateVerifier = try clientCertificateTrustRoots.flatMap { try ClientCertificateVerifier(trustRoots: $0) }
    }

    /// Serves TLS as `configuration` (a server configuration of swift-nio-ssl) says.
    /// Client certificates, when `configuration` asks for them, are verified by
    /// BoringSSL, and only the leaf is recorded in ``Protosocket/PeerIdentity``.
    ///
    /// - Throws: When swift-nio-ssl cannot make a context from `configuration`.
    public init(configuration: TLSConfiguration, handshakeTimeout: Duration = .seconds(10)) throws {
        context = try NIOSSLContext(configuration: configuration)
        self.handshakeTimeout = handshakeTimeout
    }

    /// Adds the TLS handler; ready when the handshake completes, when the
    /// certificate the peer presented (verified), or the chain verified, is
    /// recorded in `peer`.
    public func addHandlers(to channel: any Channel, serverHost: String?, peer: PeerIdentity) throws -> EventLoopFuture<Void> {
        let readiness = LayerReadinessHandler(eventLoop: channel.eventLoop, timeout: handshakeTimeout) { event in
            guard case TLSUserEvent.handshakeCompleted = event else {
                return false
            }
            let tls = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            if let chain = tls?.peerValidatedCertificateChain, let der = try? chain.map({ try $0.toDERBytes() }) {
                peer.setCertificateChain(der)
            } else {
                peer.setCertificate(try? tls?.peerCertificate?.toDERBytes())
            }
            return true
        }
        let pipeline = channel.pipeline.syncOperations
        if let verifier = clientCertificateVerifier {
            try pipeline.addHandler(
                NIOSSLServerHandler(context: context) { presented, promise in
                    // The verification is async (swift-certificates); the task
                    // only computes, and the handshake awaits its result.
                    promise.completeWithTask { await verifier.verify(presented) }
                }
            )
        } else {
            try pipeline.addHandler(NIOSSLServerHandler(context: context))
        }
        try pipeline.addHandler(readiness)
        return readiness.ready
    }
}
