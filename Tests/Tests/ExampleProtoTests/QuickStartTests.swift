import EchoProto
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import Testing

/// The root README's quick start, kept compiling and working.
@Suite("README quick start")
struct QuickStartTests {
    @Test("the quick start's unary and streaming calls work as shown")
    func quickStart() async throws {
        // --- as in the README ---
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
            responders: EchoService()
        )
        async let serving: Void = server.run()
        let port = server.localAddress?.port ?? 0

        let client = try await RPCClient<Echo_Request, Echo_Response>.connect(host: "127.0.0.1", port: port) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }

        let reply = try await client.unary(.with { $0.body.message = "hello" })
        print(reply.echo.message)                     // hello

        var letters: [String] = []
        let request = Echo_Request.with { $0.body.message = "hey"; $0.responseBehavior = .stream }
        for try await item in client.streaming(request) {
            letters.append(item.stream.message)       // h, e, y
        }

        await client.close()
        await server.close()
        try await serving
        // --- end ---
        #expect(reply.echo.message == "hello")
        #expect(letters == ["h", "e", "y"])
    }
}
