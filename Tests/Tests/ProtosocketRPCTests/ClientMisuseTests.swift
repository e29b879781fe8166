import EchoProto
import MetricsTestKit
import NIOCore
import Protosocket
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import Testing
import TestSupport

/// What a newcomer can get wrong with the client, and what they get instead of a
/// silent stall.
@Suite("RPC client misuse")
struct ClientMisuseTests {
    /// A server whose streams never end by themselves (async, counting), and whose
    /// unary calls echo.
    static func endlessServer(produced: Counter) async throws -> TestServer<ScriptedService> {
        try await TestServer.start(ScriptedService { request in
            request.responseBehavior == .stream
                ? .asyncStream(CountingStream(count: 10_000_000, payload: 16, produced: produced))
                : .response(.with { $0.echo.message = request.body.message })
        })
    }

    /// A client of `server` with a stream buffer of 16, reporting to `metrics`.
    static func connect(
        to server: TestServer<ScriptedService>,
        metrics: TestMetrics,
        slowConsumer: SlowConsumerPolicy
    ) async throws -> EchoClient {
        var configuration = ConnectionConfiguration.client
        configuration.metricsFactory = metrics
        return try await EchoClient.connect(
            host: "127.0.0.1",
            port: server.port,
            connector: TCPConnector(configuration: configuration, connectTimeout: testTimeout(seconds: 10), logger: quietLogger),
            streamBufferLimit: 16,
            slowConsumer: slowConsumer
        ) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }
    }

    @Test("leaving a stream with withStreaming cancels it: the server stops, and later calls on the connection succeed")
    func withStreamingCancels() async throws {
        let produced = Counter()
        let server = try await Self.endlessServer(produced: produced)
        let client = try await server.connect(streamBufferLimit: 16)
        try await withHangGuard(seconds: 60) {
            let taken = try await client.withStreaming(echoRequest("endless", stream: true)) { stream in
                var taken = 0
                for try await _ in stream {
                    taken += 1
                    if taken == 10 { break }
                }
                return taken
            }
            #expect(taken == 10)
            #expect(await eventually { server.server.runningRPCCount == 0 })
            let reply = try await client.unary(echoRequest("after"))
            #expect(reply.echo.message == "after")
        }
        await client.close()
        await server.close()
    }

    @Test("cancel() on a stream held by the caller ends iteration and the server's work")
    func explicitCancel() async throws {
        let produced = Counter()
        let server = try await Self.endlessServer(produced: produced)
        let client = try await server.connect(streamBufferLimit: 16)
        try await withHangGuard(seconds: 60) {
            let stream = client.streaming(echoRequest("endless", stream: true))
            var iterator = stream.makeAsyncIterator()
            _ = try await iterator.next()
            stream.cancel()
            stream.cancel()
            // After the batch already taken, iteration ends.
            var rest = 0
            while try await iterator.next() != nil {
                rest += 1
            }
            #expect(rest <= 16)
            #expect(await eventually { server.server.runningRPCCount == 0 })
            let reply = try await client.unary(echoRequest("after"))
            #expect(reply.echo.message == "after")
        }
        await client.close()
        await server.close()
    }

    @Test("a unary call with a streaming request, and the reverse, fail at once with callKindMismatch")
    func wrongKindFailsFast() async throws {
        let server = try await TestServer.start(EchoService())
        let client = try await server.connect()
        try await withHangGuard(seconds: 60) {
            await #expect(throws: RPCError.callKindMismatch(requested: .unary, declared: .streaming)) {
                _ = try await client.unary(echoRequest("s", stream: true))
            }
            await #expect(throws: RPCError.callKindMismatch(requested: .streaming, declared: .unary)) {
                for try await _ in client.streaming(echoRequest("u")) {}
            }
            // Nothing was sent: the connection is as it was.
            let reply = try await client.unary(echoRequest("fine"))
            #expect(reply.echo.message == "fine")
        }
        await client.close()
        await server.close()
    }

    @Test("a server whose responder answers a unary request with a stream answers cancel")
    func serverRefusesMismatchedAnswer() async throws {
        let server = try await TestServer.start(ScriptedService { _ in
            .stream([Echo_Response.with { $0.stream.message = "x" }])
        })
        let client = try await server.connect()
        try await withHangGuard(seconds: 60) {
            await #expect(throws: RPCError.cancelledRemotely) {
                _ = try await client.unary(echoRequest("unary"))
            }
            #expect(server.server.runningRPCCount == 0)
        }
        await client.close()
        await server.close()
    }

    @Test("a stalled consumer pausing its connection is warned about and counted")
    func stallIsWarned() async throws {
        let produced = Counter()
        let metrics = TestMetrics()
        let server = try await Self.endlessServer(produced: produced)
        let client = try await Self.connect(to: server, metrics: metrics, slowConsumer: .pauseConnection(warnAfter: .milliseconds(200)))
        try await withHangGuard(seconds: 60) {
            // Never iterated: its buffer fills and the connection pauses.
            let stream = client.streaming(echoRequest("endless", stream: true))
            #expect(await eventually { metrics.counterTotal(label: "protosocket.rpc.client.stalls") == 1 })
            stream.cancel()
            let reply = try await client.unary(echoRequest("after"))
            #expect(reply.echo.message == "after")
        }
        await client.close()
        await server.close()
    }

    @Test("with .failStream, a stalled stream fails with consumerTooSlow and is cancelled on the server; other calls go on")
    func failStream() async throws {
        let produced = Counter()
        let metrics = TestMetrics()
        let server = try await Self.endlessServer(produced: produced)
        let client = try await Self.connect(to: server, metrics: metrics, slowConsumer: .failStream)
        try await withHangGuard(seconds: 60) {
            let stream = client.streaming(echoRequest("endless", stream: true))
            #expect(await eventually { metrics.counterTotal(label: "protosocket.rpc.client.slow_streams_failed") == 1 })
            // The connection was not paused: other calls go through.
            let reply = try await client.unary(echoRequest("after"))
            #expect(reply.echo.message == "after")
            #expect(await eventually { server.server.runningRPCCount == 0 })
            // The consumer gets what was buffered, then the error.
            await #expect(throws: RPCError.consumerTooSlow) {
                for try await _ in stream {}
            }
        }
        await client.close()
        await server.close()
    }

    @Test("a refused connect names the address and the cause")
    func connectErrorIsReadable() async throws {
        // A port that was just free: bind one, note it, close it.
        let probe = try await TestServer.start(EchoService())
        let port = probe.port
        await probe.close()
        do {
            _ = try await EchoClient.connect(host: "127.0.0.1", port: port) {
                ProtobufCodec<Echo_Response, Echo_Request>()
            }
            Issue.record("connected to a closed port")
        } catch let error as ConnectError {
            #expect(error.peer == "127.0.0.1:\(port)")
            #expect("\(error)".contains("could not connect to 127.0.0.1:\(port)"))
            #expect("\(error)".lowercased().contains("refused"))
        }
    }
}
