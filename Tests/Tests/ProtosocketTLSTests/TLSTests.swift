import EchoLoad
import EchoProto
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Protosocket
import ProtosocketClient
import ProtosocketClientTLS
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import ProtosocketServerTLS
import Testing
import TestSupport

typealias EchoClient = RPCClient<Echo_Request, Echo_Response>

/// An echo server on 127.0.0.1 with a random port: TLS with `certificate`, or
/// plaintext without one.
struct EchoServer {
    let server: RPCServer<EchoService>
    let port: Int

    static func start(
        certificate: SelfSignedCertificate?,
        requiringClientCertificatesFrom clientRoot: SelfSignedCertificate? = nil,
        handshakeTimeout: Duration = testTimeout(seconds: 10),
        maximumMessageSize: Int = 4 << 20
    ) async throws -> EchoServer {
        let clientRoots = try clientRoot.map { NIOSSLTrustRoots.certificates(try NIOSSLCertificate.fromPEMFile($0.certificateFile)) }
        let layers: [any ChannelLayer] = try certificate.map {
            [try ServerTLS(
                certificateChainFile: $0.certificateFile,
                privateKeyFile: $0.privateKeyFile,
                clientCertificateTrustRoots: clientRoots,
                handshakeTimeout: handshakeTimeout
            )]
        } ?? []
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, channelLayers: layers),
            responders: EchoService(maximumMessageSize: maximumMessageSize),
            logger: quietLogger
        )
        return EchoServer(server: server, port: server.localAddress?.port ?? 0)
    }

    /// A client that trusts `root` (TLS), or a plaintext one.
    func connect(
        trusting root: SelfSignedCertificate?,
        presenting clientCertificate: SelfSignedCertificate? = nil,
        host: String = "127.0.0.1",
        maximumMessageSize: Int = 4 << 20
    ) async throws -> EchoClient {
        let layers: [any ChannelLayer] = try root.map {
            [try ClientTLS(
                trustRoots: .certificates(try NIOSSLCertificate.fromPEMFile($0.certificateFile)),
                certificateChainFile: clientCertificate?.certificateFile,
                privateKeyFile: clientCertificate?.privateKeyFile,
                handshakeTimeout: testTimeout(seconds: 10)
            )]
        } ?? []
        let configuration = ConnectionConfiguration(
            maxBufferLength: 2 * maximumMessageSize,
            maxQueuedOutboundMessages: 256
        )
        return try await EchoClient.connect(
            host: host,
            port: port,
            connector: TCPConnector(
                configuration: configuration,
                connectTimeout: testTimeout(seconds: 10),
                logger: quietLogger,
                channelLayers: layers
            )
        ) {
            ProtobufCodec<Echo_Response, Echo_Request>(maximumMessageSize: maximumMessageSize)
        }
    }

    func close() async {
        await server.close()
    }
}

/// Checks that `client` is served: a unary echo comes back intact.
func expectServed(_ client: EchoClient, _ comment: Comment? = nil) async throws {
    let response = try await client.unary(echoRequest("still here"))
    #expect(response.echo.message == "still here", comment)
}

@Suite("TLS")
struct TLSTests {
    @Test("unary and streaming echo over TLS with a verifying client and a custom root", arguments: ["127.0.0.1", "localhost"])
    func echoOverTLS(host: String) async throws {
        let certificate = try SelfSignedCertificate.generate()
        defer { certificate.remove() }
        let server = try await EchoServer.start(certificate: certificate)
        let client = try await server.connect(trusting: certificate, host: host)
        try await withHangGuard {
            let unary = try await client.unary(echoRequest("secret"))
            #expect(unary.echo.message == "secret")
            var streamed: [String] = []
            for try await response in client.streaming(echoRequest("tls", stream: true)) {
                streamed.append(response.stream.message)
            }
            #expect(streamed == ["t", "l", "s"])
        }
        await client.close()
        await server.close()
    }

    @Test("a server that requires client certificates serves a client with one and refuses a client without")
    func clientCertificates() async throws {
        let certificates = try CertificatePair()
        defer { certificates.remove() }
        let (certificate, clientCertificate) = (certificates.first, certificates.second)
        let server = try await EchoServer.start(certificate: certificate, requiringClientCertificatesFrom: clientCertificate)
        try await withHangGuard {
            let admitted = try await server.connect(trusting: certificate, presenting: clientCertificate)
            try await expectServed(admitted)
            // With TLS 1.3 the client may finish its side of the handshake before the
            // server refuses it: then its first call fails instead of the connect.
            var refused = false
            do {
                let anonymous = try await server.connect(trusting: certificate)
                _ = try await anonymous.unary(echoRequest("who am I"))
            } catch {
                refused = true
            }
            #expect(refused)
            try await expectServed(admitted, "the admitted client is still served")
            await admitted.close()
        }
        await server.close()
    }

    @Test("a client trusting a different root fails to connect with a certificate error; the server keeps serving")
    func wrongRoot() async throws {
        let certificates = try CertificatePair()
        defer { certificates.remove() }
        let (certificate, other) = (certificates.first, certificates.second)
        let server = try await EchoServer.start(certificate: certificate)
        let good = try await server.connect(trusting: certificate)
        try await withHangGuard {
            let error = await #expect(throws: (any Error).self) {
                try await server.connect(trusting: other)
            }
            #expect("\(error.map { "\($0)" } ?? "")".contains("CERTIFICATE_VERIFY_FAILED"))
            try await expectServed(good)
            let another = try await server.connect(trusting: certificate)
            try await expectServed(another, "a new client is served after the failed one")
            await another.close()
        }
        await good.close()
        await server.close()
    }

    @Test("a plaintext client on the TLS port fails cleanly; TLS clients are still served")
    func plaintextClientOnTLSPort() async throws {
        let certificate = try SelfSignedCertificate.generate()
        defer { certificate.remove() }
        let server = try await EchoServer.start(certificate: certificate)
        let good = try await server.connect(trusting: certificate)
        try await withHangGuard {
            let plaintext = try await server.connect(trusting: nil)
            // Closed by the server after the request went out, or, if the close came
            // first, before it did.
            let error = await #expect(throws: RPCError.self) {
                try await plaintext.unary(echoRequest("in the clear"))
            }
            #expect(error == .connectionClosed || error == .notSent)
            try await expectServed(good)
        }
        await good.close()
        await server.close()
    }

    @Test("a TLS client on a plaintext port fails to connect cleanly; plaintext clients are still served")
    func tlsClientOnPlaintextPort() async throws {
        let certificate = try SelfSignedCertificate.generate()
        defer { certificate.remove() }
        let server = try await EchoServer.start(certificate: nil)
        let good = try await server.connect(trusting: nil)
        try await withHangGuard {
            await #expect(throws: (any Error).self) {
                try await server.connect(trusting: certificate)
            }
            try await expectServed(good)
        }
        await good.close()
        await server.close()
    }

    @Test("a client that connects and never starts its handshake holds nothing up")
    func silentClientHoldsNothingUp() async throws {
        let certificate = try SelfSignedCertificate.generate()
        defer { certificate.remove() }
        let server = try await EchoServer.start(certificate: certificate)
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: server.port)
            .get()
        try await withHangGuard {
            for _ in 0..<3 {
                let client = try await server.connect(trusting: certificate)
                try await expectServed(client, "served while the silent client holds its connection")
                await client.close()
            }
        }
        try? await silent.close()
        await server.close()
    }

    @Test("the server closes a connection whose handshake does not complete within the timeout")
    func silentClientTimesOut() async throws {
        let certificate = try SelfSignedCertificate.generate()
        defer { certificate.remove() }
        let server = try await EchoServer.start(certificate: certificate, handshakeTimeout: .milliseconds(200))
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: server.port)
            .get()
        try await withHangGuard {
            // A reset may fail the close future; either way the connection is closed.
            try? await silent.closeFuture.get()
        }
        #expect(!silent.isActive)
        await server.close()
    }

    @Test("1 MiB and 8 MiB responses arrive intact over TLS", arguments: [1 << 20, 8 << 20])
    func largeMessages(size: Int) async throws {
        let certificate = try SelfSignedCertificate.generate()
        defer { certificate.remove() }
        let server = try await EchoServer.start(certificate: certificate, maximumMessageSize: 16 << 20)
        let client = try await server.connect(trusting: certificate, maximumMessageSize: 16 << 20)
        let alphabet = "abcdefghijklmnopqrstuvwxyz"
        let message = String(repeating: alphabet, count: size / 26) + alphabet.prefix(size % 26)
        try await withHangGuard {
            let response = try await client.unary(echoRequest(message))
            #expect(response.echo.message.utf8.count == size)
            #expect(response.echo.message == message)
        }
        await client.close()
        await server.close()
    }

    @Test("a connection pool over TLS connects lazily and serves calls")
    func poolOverTLS() async throws {
        let certificate = try SelfSignedCertificate.generate()
        defer { certificate.remove() }
        let server = try await EchoServer.start(certificate: certificate)
        let pool = RPCConnectionPool<Echo_Request, Echo_Response>(size: 2) {
            try await server.connect(trusting: certificate)
        }
        try await withHangGuard {
            for key in 0..<4 {
                try await expectServed(try await pool.client(forKey: key))
            }
        }
        await server.close()
    }
}
