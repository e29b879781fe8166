import EchoLoad

/// Two unrelated self-signed certificates made with `openssl` for one test
/// (never committed); each is its own root.
struct CertificatePair {
    let first: SelfSignedCertificate
    let second: SelfSignedCertificate

    init() throws {
        first = try SelfSignedCertificate.generate()
        do {
            second = try SelfSignedCertificate.generate()
        } catch {
            first.remove()
            throw error
        }
    }

    /// Deletes both certificates' files.
    func remove() {
        first.remove()
        second.remove()
    }
}
