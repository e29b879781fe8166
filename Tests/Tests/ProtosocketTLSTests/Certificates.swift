import EchoLoad

enum TestCertificates {
    /// Two unrelated self-signed certificates, made once per test run with
    /// `openssl` (never committed); each is its own root.
    static let pair = Result {
        (try SelfSignedCertificate.generate(), try SelfSignedCertificate.generate())
    }
}
