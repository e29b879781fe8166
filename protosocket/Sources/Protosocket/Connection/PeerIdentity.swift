import Synchronization

/// What the layers beneath a connection established about its peer: for TLS,
/// the certificates the peer presented and the layer verified.
///
/// A layer records it when it becomes ready (a TLS handshake completes), which is
/// before the connection delivers the peer's first message; a reactor that keeps
/// its ``ConnectionContext`` reads it when handling messages. Without such a layer
/// it stays empty. Safe to read from any thread.
public final class PeerIdentity: Sendable {
    private let verified = Mutex<Verified>(.nothing)

    /// What a layer recorded; the leaf of a chain is its first certificate.
    private enum Verified {
        case nothing
        case leaf([UInt8])
        /// Never empty.
        case chain([[UInt8]])
    }

    /// An identity with nothing established yet.
    public init() {}

    /// The DER bytes of the certificate the peer presented and the layer verified
    /// (the leaf of its chain); `nil` when the peer presented none, or before the
    /// layer is ready.
    public var certificate: [UInt8]? {
        verified.withLock { verified in
            switch verified {
            case .nothing: nil
            case .leaf(let der): der
            case .chain(let chain): chain.first
            }
        }
    }

    /// The DER bytes of the chain the layer verified, leaf first, then each
    /// issuer up to and including the trust root it ends in; `nil` when the
    /// layer records only the leaf, when the peer presented no certificate, or
    /// before the layer is ready.
    ///
    /// `ServerTLS` records it for client certificates it verifies against
    /// trust roots given as certificates or a file; a service can then authorize
    /// by an intermediate authority, not only by the leaf.
    public var certificateChain: [[UInt8]]? {
        verified.withLock { verified in
            if case .chain(let chain) = verified {
                return chain
            }
            return nil
        }
    }

    /// Records the peer's verified certificate (DER), the leaf only; called by
    /// a layer.
    public func setCertificate(_ der: [UInt8]?) {
        verified.withLock { $0 = der.map(Verified.leaf) ?? .nothing }
    }

    /// Records the chain the layer verified (DER, leaf first, ending with the
    /// trust root), and its leaf as ``certificate``; called by a layer.
    public func setCertificateChain(_ chain: [[UInt8]]) {
        verified.withLock { $0 = chain.isEmpty ? .nothing : .chain(chain) }
    }
}
