import EchoProto
import Metrics
import MetricsTestKit
import NIOCore
import Protosocket
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import Testing
import TestSupport

typealias EchoClient = RPCClient<Echo_Request, Echo_Response>

/// An echo server with its own metrics, and a well-behaved client connected to it
/// before the test misbehaves: the client must keep being served throughout.
struct HostileFixture {
    let server: RPCServer<EchoService>
    let metrics: TestMetrics
    let port: Int
    let bystander: EchoClient
    /// Open connections with only the bystander connected.
    let baseline: Int

    static func start() async throws -> HostileFixture {
        let metrics = TestMetrics()
        var connection = ConnectionConfiguration.server
        connection.metricsFactory = metrics
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, connection: connection),
            responders: EchoService(),
            logger: quietLogger
        )
        let port = server.localAddress?.port ?? 0
        let bystander = try await connectClient(port: port)
        #expect(await eventually { server.openConnectionCount == 1 })
        return HostileFixture(server: server, metrics: metrics, port: port, bystander: bystander, baseline: 1)
    }

    static func connectClient(port: Int) async throws -> EchoClient {
        let connector = TCPConnector(connectTimeout: testTimeout(seconds: 10), logger: quietLogger)
        return try await EchoClient.connect(host: "127.0.0.1", port: port, connector: connector) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }
    }

    /// The bystander and a new client are both served.
    func expectServing(_ comment: Comment? = nil) async throws {
        #expect(try await bystander.unary(echoRequest("bystander")).echo.message == "bystander", comment)
        let newcomer = try await HostileFixture.connectClient(port: port)
        #expect(try await newcomer.unary(echoRequest("newcomer")).echo.message == "newcomer", comment)
        await newcomer.close()
    }

    /// Waits (under the caller's hang guard) until only the bystander is connected.
    func expectBaseline(_ comment: Comment? = nil) async {
        #expect(await eventually { server.openConnectionCount == baseline }, comment)
    }

    /// Connections the server closed for undecodable bytes.
    var decodeFailures: Int64 {
        metrics.counterTotal(label: "protosocket.server.decode.failures")
    }

    func close() async {
        await bystander.close()
        await server.close()
    }
}
