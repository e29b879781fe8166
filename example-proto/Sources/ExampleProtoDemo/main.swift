import ArgumentParser
import EchoLoad
import ProtosocketServerTLS

/// The echo server and its load generator in one process on 127.0.0.1.
@main
struct ExampleProtoDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-proto-demo",
        abstract: "Runs the echo RPC server and a load generator against it in one process on 127.0.0.1."
    )

    @OptionGroup var load: LoadFlags

    @Flag(help: "Serve and connect over TLS, with a self-signed certificate made at start-up by openssl (or the one of --tls-cert).")
    var tls = false

    @OptionGroup var serverTLS: ServerTLSFlags

    @OptionGroup var clientTLS: ClientTLSFlags

    func run() async throws {
        var serverLayer = try serverTLS.makeServerTLS()
        var clientLayer = try clientTLS.makeClientTLS(defaultRoot: serverTLS.tlsCert)
        if tls && serverLayer == nil {
            let certificate = try SelfSignedCertificate.generate()
            // Both layers read the files when they are made.
            defer { certificate.remove() }
            serverLayer = try ServerTLS(certificateChainFile: certificate.certificateFile, privateKeyFile: certificate.privateKeyFile)
            clientLayer = try clientTLS.makeClientTLS(defaultRoot: certificate.certificateFile)
        }
        let transport = serverLayer == nil ? "plaintext" : "TLS"
        print("example-proto-demo: \(load.mode) echo, \(load.connections) connections, \(load.concurrency) in flight, \(load.seconds ?? 5) s on 127.0.0.1, \(transport)")
        try await Demo.withServer(tls: serverLayer) { port in
            try await load.execute(host: "127.0.0.1", port: port, connector: ProtosocketEchoConnector(tls: clientLayer), defaultSeconds: 5)
        }
    }
}
