import Foundation

/// A root authority, an intermediate it signed, and a client certificate the
/// intermediate signed, made with `openssl` in a new temporary directory
/// (valid for one day; never committed).
struct CertificateAuthorityChain {
    /// The root's certificate (PEM): what a server trusts.
    let rootFile: String
    /// A directory holding the root's certificate in `c_rehash` form (another
    /// way to give swift-nio-ssl its roots).
    let rootDirectory: String
    /// The client's certificate, then the intermediate's (PEM): what the client presents.
    let clientChainFile: String
    /// The client certificate's private key (PEM).
    let clientKeyFile: String
    /// The temporary directory holding every file.
    let directory: String

    struct GenerationError: Error, CustomStringConvertible {
        let description: String
    }

    /// - Parameters: the subjects' common names, root first.
    static func generate(root: String, intermediate: String, client: String) throws -> CertificateAuthorityChain {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("protosocket-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(directory.path)'
            printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign\\n' > ca.ext
            printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=clientAuth\\n' > client.ext
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
            key root
            openssl req -x509 -new -key root.key -out root.pem -days 1 -subj '/CN=\(root)' \\
                -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
            key intermediate
            openssl req -new -key intermediate.key -out intermediate.csr -subj '/CN=\(intermediate)'
            openssl x509 -req -in intermediate.csr -CA root.pem -CAkey root.key -CAcreateserial \\
                -days 1 -extfile ca.ext -out intermediate.pem
            key client
            openssl req -new -key client.key -out client.csr -subj '/CN=\(client)'
            openssl x509 -req -in client.csr -CA intermediate.pem -CAkey intermediate.key -CAcreateserial \\
                -days 1 -extfile client.ext -out client.pem
            cat client.pem intermediate.pem > client-chain.pem
            mkdir roots && cp root.pem roots/ && openssl rehash roots
            """
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", script]
        shell.standardOutput = FileHandle.nullDevice
        shell.standardError = FileHandle.nullDevice
        try shell.run()
        shell.waitUntilExit()
        guard shell.terminationStatus == 0 else {
            try? FileManager.default.removeItem(at: directory)
            throw GenerationError(description: "making the certificate chain with openssl failed (status \(shell.terminationStatus))")
        }
        return CertificateAuthorityChain(
            rootFile: directory.appendingPathComponent("root.pem").path,
            rootDirectory: directory.appendingPathComponent("roots").path,
            clientChainFile: directory.appendingPathComponent("client-chain.pem").path,
            clientKeyFile: directory.appendingPathComponent("client.key").path,
            directory: directory.path
        )
    }

    /// Deletes the directory holding every file (servers and clients read them
    /// when their TLS configurations are made).
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
