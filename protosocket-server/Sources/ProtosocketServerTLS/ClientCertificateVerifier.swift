import NIOSSL
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// A verifier for roots given as certificates or a PEM file; `nil` for the
    /// system's roots (`.default`) and for a directory of roots, which stay with
    /// BoringSSL (only the leaf is then recorded).
    ///
    /// - Throws: When a root cannot be read or parsed as X.509.
    init?(trustRoots: NIOSSLTrustRoots) throws {
        let certificates: [NIOSSLCertificate]
        switch trustRoots {
        case .certificates(let given):
            certificates = given
        case .file(let path) where !Self.isDirectory(path):
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        case .file, .default:
            return nil
        }
        roots = CertificateStore(try certificates.map { try Certificate(derEncoded: $0.toDERBytes()) })
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
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
