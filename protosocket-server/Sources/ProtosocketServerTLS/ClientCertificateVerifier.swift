import NIOSSL
import SwiftASN1
import X509

/// Verifies the chains clients present against a fixed set of trust roots
/// (RFC 5280: signatures, validity at the time of the handshake, basic and name
/// constraints) and gives the handshake the chain it verified, leaf first and
/// ending with the trust root, so that the connection can record it.
///
/// swift-nio-ssl verifies with BoringSSL but keeps only the leaf; to learn the
/// whole chain, the verification is done here, in its custom verification
/// callback (decision 0006).
struct ClientCertificateVerifier: Sendable {
    private let roots: CertificateStore

    /// - Throws: When a root cannot be read or parsed as X.509.
    init(trustRoots: [NIOSSLCertificate]) throws {
        roots = CertificateStore(try trustRoots.map { try Certificate(derEncoded: $0.toDERBytes()) })
    }

    /// The outcome for the certificates a client presented (leaf first, as
    /// presented): verified, with the chain, or failed.
    func verify(_ presented: [NIOSSLCertificate]) async -> NIOSSLVerificationResultWithMetadata {
        guard
            let parsed = try? presented.map({ try Certificate(derEncoded: $0.toDERBytes()) }),
            let leaf = parsed.first
        else {
            return .failed
        }
        var verifier = Verifier(rootCertificates: roots) { RFC5280Policy() }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(parsed.dropFirst()))
        guard
            case .validCertificate(let chain) = result,
            let certificates = try? chain.map(Self.nioCertificate),
            !certificates.isEmpty
        else {
            return .failed
        }
        return .certificateVerified(VerificationMetadata(NIOSSL.ValidatedCertificateChain(certificates)))
    }

    private static func nioCertificate(_ certificate: Certificate) throws -> NIOSSLCertificate {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
    }
}
