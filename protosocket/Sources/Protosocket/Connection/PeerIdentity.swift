import Synchronization

/// What the layers beneath a connection established about its peer: for TLS,
/// the certificate the peer presented and the layer verified.
///
/// A layer records it when it becomes ready (a TLS handshake completes), which is
/// before the connection delivers the peer's first message; a reactor that keeps
/// its ``ConnectionContext`` reads it when handling messages. Without such a layer
/// it stays empty. Safe to read from any thread.
public final class PeerIdentity: Sendable {
    private let verifiedCertificate = Mutex<[UInt8]?>(nil)

    /// An identity with nothing established yet.
    public init() {}

    /// The DER bytes of the certificate the peer presented and the layer verified
    /// (the leaf of its chain); `nil` when the peer presented none, or before the
    /// layer is ready.
    public var certificate: [UInt8]? {
        verifiedCertificate.withLock { $0 }
    }

    /// Records the peer's verified certificate (DER); called by a layer.
    public func setCertificate(_ der: [UInt8]?) {
        verifiedCertificate.withLock { $0 = der }
    }
}
