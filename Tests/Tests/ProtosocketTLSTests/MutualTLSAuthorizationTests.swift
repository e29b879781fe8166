import EchoLoad
import EchoProto
import NIOCore
import NIOSSL
import Protosocket
import ProtosocketClient
import ProtosocketClientTLS
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import ProtosocketServerTLS
import Synchronization
import Testing
import TestSupport

/// A service that serves only clients whose verified certificate has an allowed
/// common name, and records what its connections were told.
struct AuthorizingService: RPCResponderFactory {
    let allowed: Set<String>
    let seen: Box<[String]>
    let closes: Box<[String]>

    func makeCodec() -> ProtobufCodec<Echo_Request, Echo_Response> { ProtobufCodec() }

    func makeResponder(context: RPCConnectionContext) -> AuthorizingResponder {
        seen.value.withLock { $0.append("\(context.remoteAddress?.ipAddress ?? "?") -> \(context.localAddress?.port ?? 0)") }
        return AuthorizingResponder(peer: context.peer, allowed: allowed, closes: closes)
    }
}

/// A value shared by the connections of a test server.
final class Box<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
}

struct AuthorizingResponder: RPCResponder {
    let peer: PeerIdentity
    let allowed: Set<String>
    let closes: Box<[String]>

    func commonName() -> String? {
        guard let der = peer.certificate, let certificate = try? NIOSSLCertificate(bytes: der, format: .der) else {
            return nil
        }
        for name in certificate.subjectName {
            if name.type == .commonName {
                return name.value
            }
        }
        return nil
    }

    mutating func answer(_ request: Echo_Request) -> RPCAnswer<Echo_Response> {
        guard let name = commonName(), allowed.contains(name) else {
            return .cancelled
        }
        return .response(.with { $0.echo.message = "hello \(name)" })
    }

    mutating func connectionClosed(_ reason: CloseReason) {
        let name = commonName() ?? "anonymous"
        closes.value.withLock { $0.append(name) }
    }
}

/// A running RPC server on 127.0.0.1 serving TLS with `certificate` and requiring
/// client certificates that chain to `clientRoots`, and echo clients of it.
struct MutualTLSServer<Responders: RPCResponderFactory> {
    let server: RPCServer<Responders>
    let certificate: SelfSignedCertificate
    let running: Task<Void, any Error>

    init(certificate: SelfSignedCertificate, clientRoots: NIOSSLTrustRoots, responders: Responders) async throws {
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(
                host: "127.0.0.1",
                port: 0,
                channelLayers: [try ServerTLS(
                    certificateChainFile: certificate.certificateFile,
                    privateKeyFile: certificate.privateKeyFile,
                    clientCertificateTrustRoots: clientRoots,
                    handshakeTimeout: testTimeout(seconds: 10)
                )]
            ),
            responders: responders,
            logger: quietLogger
        )
        self.server = server
        self.certificate = certificate
        running = Task { try await server.run() }
    }

    var port: Int { server.localAddress?.port ?? 0 }

    /// A client presenting the chain in `chainFile` (PEM, leaf first) with its key.
    func connect(chainFile: String, keyFile: String) async throws -> EchoClient {
        let tls = try ClientTLS(
            trustRoots: .certificates(try NIOSSLCertificate.fromPEMFile(certificate.certificateFile)),
            certificateChainFile: chainFile,
            privateKeyFile: keyFile,
            handshakeTimeout: testTimeout(seconds: 10)
        )
        return try await EchoClient.connect(
            host: "127.0.0.1",
            port: port,
            connector: TCPConnector(connectTimeout: testTimeout(seconds: 10), logger: quietLogger, channelLayers: [tls])
        ) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }
    }

    func close() async {
        await server.close()
        _ = await running.result
    }
}

@Suite("Mutual TLS: a service authorizes clients by their verified certificate")
struct MutualTLSAuthorizationTests {
    @Test("a client whose certificate subject is allowed is served; another, also verified, is refused by the service; both connections report their addresses and their close")
    func authorizeBySubject() async throws {
        let server = try SelfSignedCertificate.generate(name: "server")
        defer { server.remove() }
        let alice = try SelfSignedCertificate.generate(name: "alice", commonName: "alice")
        defer { alice.remove() }
        let mallory = try SelfSignedCertificate.generate(name: "mallory", commonName: "mallory")
        defer { mallory.remove() }
        let clientRoots = NIOSSLTrustRoots.certificates(
            try NIOSSLCertificate.fromPEMFile(alice.certificateFile) + NIOSSLCertificate.fromPEMFile(mallory.certificateFile)
        )
        let service = AuthorizingService(allowed: ["alice"], seen: Box([]), closes: Box([]))
        let rpcServer = try await MutualTLSServer(certificate: server, clientRoots: clientRoots, responders: service)
        let port = rpcServer.port

        @Sendable func connect(as client: SelfSignedCertificate) async throws -> EchoClient {
            try await rpcServer.connect(chainFile: client.certificateFile, keyFile: client.privateKeyFile)
        }

        try await withHangGuard {
            let admitted = try await connect(as: alice)
            #expect(try await admitted.unary(echoRequest("hi")).echo.message == "hello alice")
            let refused = try await connect(as: mallory)
            await #expect(throws: RPCError.cancelledRemotely) {
                _ = try await refused.unary(echoRequest("hi"))
            }
            await admitted.close()
            await refused.close()
        }
        await rpcServer.close()

        let seen = service.seen.value.withLock { $0 }
        #expect(seen == ["127.0.0.1 -> \(port)", "127.0.0.1 -> \(port)"])
        let closes = service.closes.value.withLock { $0 }.sorted()
        #expect(closes == ["alice", "mallory"])
    }
}

/// Answers each call with the common name of its connection's verified client
/// certificate, and those of the chain it was verified under, leaf first:
/// `leaf: alice, chain: alice,Team CA,Trusted Root` (an empty chain when only the
/// leaf was recorded).
struct ChainReportingService: RPCResponderFactory {
    func makeCodec() -> ProtobufCodec<Echo_Request, Echo_Response> { ProtobufCodec() }

    func makeResponder(context: RPCConnectionContext) -> ChainReportingResponder {
        ChainReportingResponder(peer: context.peer)
    }
}

struct ChainReportingResponder: RPCResponder {
    let peer: PeerIdentity

    static func commonName(_ der: [UInt8]) -> String {
        let certificate = try? NIOSSLCertificate(bytes: der, format: .der)
        return certificate?.subjectName.first { $0.type == .commonName }?.value ?? "?"
    }

    mutating func answer(_ request: Echo_Request) -> RPCAnswer<Echo_Response> {
        let leaf = peer.certificate.map(Self.commonName) ?? "none"
        let chain = (peer.certificateChain ?? []).map(Self.commonName).joined(separator: ",")
        return .response(.with { $0.echo.message = "leaf: \(leaf), chain: \(chain)" })
    }
}

/// A server certificate, and a client chain (alice, through "Team CA", to
/// "Trusted Root") for a server that reports the chains it verified.
struct ChainFixture {
    let server: SelfSignedCertificate
    let trusted: CertificateAuthorityChain

    init() throws {
        server = try SelfSignedCertificate.generate(name: "server")
        do {
            trusted = try CertificateAuthorityChain.generate(root: "Trusted Root", intermediate: "Team CA", client: "alice")
        } catch {
            server.remove()
            throw error
        }
    }

    /// A running server answering with the leaf and chain it recorded.
    func startServer(clientRoots: NIOSSLTrustRoots) async throws -> MutualTLSServer<ChainReportingService> {
        try await MutualTLSServer(certificate: server, clientRoots: clientRoots, responders: ChainReportingService())
    }

    /// Deletes every certificate's files.
    func remove() {
        server.remove()
        trusted.remove()
    }
}

@Suite("Mutual TLS: the service sees the client's verified chain")
struct MutualTLSChainTests {
    @Test("a client presenting its certificate and an intermediate is verified to the trusted root; the service sees leaf, intermediate and root; a chain from another root is refused")
    func verifiedChain() async throws {
        let fixture = try ChainFixture()
        defer { fixture.remove() }
        let trusted = fixture.trusted
        let other = try CertificateAuthorityChain.generate(root: "Other Root", intermediate: "Other CA", client: "mallory")
        defer { other.remove() }
        let rpcServer = try await fixture.startServer(clientRoots: .file(trusted.rootFile))

        @Sendable func connect(presenting chain: CertificateAuthorityChain) async throws -> EchoClient {
            try await rpcServer.connect(chainFile: chain.clientChainFile, keyFile: chain.clientKeyFile)
        }

        try await withHangGuard {
            let alice = try await connect(presenting: trusted)
            #expect(try await alice.unary(echoRequest("hi")).echo.message == "leaf: alice, chain: alice,Team CA,Trusted Root")
            // With TLS 1.3 the client may finish its side of the handshake before the
            // server refuses it: then its first call fails instead of the connect.
            var refused = false
            do {
                let mallory = try await connect(presenting: other)
                _ = try await mallory.unary(echoRequest("hi"))
            } catch {
                refused = true
            }
            #expect(refused)
            #expect(try await alice.unary(echoRequest("again")).echo.message == "leaf: alice, chain: alice,Team CA,Trusted Root")
            await alice.close()
        }
        await rpcServer.close()
    }

    @Test("roots given as a directory stay with BoringSSL: the client is verified through its intermediate, and only the leaf is recorded")
    func directoryOfRoots() async throws {
        let fixture = try ChainFixture()
        defer { fixture.remove() }
        let trusted = fixture.trusted
        let rpcServer = try await fixture.startServer(clientRoots: .file(trusted.rootDirectory))
        try await withHangGuard {
            let alice = try await rpcServer.connect(chainFile: trusted.clientChainFile, keyFile: trusted.clientKeyFile)
            #expect(try await alice.unary(echoRequest("hi")).echo.message == "leaf: alice, chain: ")
            await alice.close()
        }
        await rpcServer.close()
    }
}
