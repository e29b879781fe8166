import Foundation

/// A self-signed certificate and its key, made with the `openssl` command (Debian's
/// `openssl` package): valid for one day, for `localhost` and `127.0.0.1`. The
/// demo serves TLS with one; it is its own root, so clients trust this file.
public struct SelfSignedCertificate: Sendable {
    /// The certificate (PEM).
    public let certificateFile: String
    /// Its private key (PEM, P-256).
    public let privateKeyFile: String
    /// The temporary directory holding both files.
    public let directory: String

    /// Why a certificate could not be made.
    public struct GenerationError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Makes a certificate in a new temporary directory: `name` names its files,
    /// `commonName` is its subject's CN (its alternative names are always
    /// `localhost` and 127.0.0.1). ``remove()`` deletes the directory.
    ///
    /// - Throws: ``GenerationError`` when `openssl` is missing or fails.
    public static func generate(name: String = "localhost", commonName: String = "localhost") throws -> SelfSignedCertificate {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("protosocket-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = SelfSignedCertificate(
            certificateFile: directory.appendingPathComponent("\(name).pem").path,
            privateKeyFile: directory.appendingPathComponent("\(name).key").path,
            directory: directory.path
        )
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", certificate.privateKeyFile, "-out", certificate.certificateFile, "-days", "1",
            "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        do {
            try openssl.run()
        } catch {
            certificate.remove()
            throw GenerationError(description: "cannot run openssl (install Debian's openssl package): \(error)")
        }
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            certificate.remove()
            throw GenerationError(description: "openssl req failed with status \(openssl.terminationStatus)")
        }
        return certificate
    }

    /// Deletes the directory holding the certificate and its key. TLS
    /// configurations read both files when they are made, so call this once
    /// they exist.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
