import Protosocket
import ProtosocketServer
import Testing
import TestSupport

@Suite("Listener socket options")
struct SocketOptionTests {
    func bind(port: Int, reusePort: Bool) async throws -> ConnectionServer<LineEchoFactory> {
        try await ConnectionServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: port, reusePort: reusePort),
            factory: LineEchoFactory(),
            logger: quietLogger
        )
    }

    @Test("by default a second server cannot bind a port that one listens on")
    func secondBindFails() async throws {
        let first = try await bind(port: 0, reusePort: false)
        let port = first.localAddress?.port ?? 0
        await #expect(throws: (any Error).self) {
            let second = try await bind(port: port, reusePort: false)
            await second.close()
        }
        await first.close()
    }

    @Test("with reusePort on both, two servers share a port")
    func reusePortShares() async throws {
        let first = try await bind(port: 0, reusePort: true)
        let port = first.localAddress?.port ?? 0
        let second = try await bind(port: port, reusePort: true)
        #expect(second.localAddress?.port == port)
        await second.close()
        await first.close()
    }
}
