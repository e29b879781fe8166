import EchoProto
import InMemoryTracing
import NIOCore
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import ServiceContextModule
import Synchronization
import Testing
import TestSupport
import Tracing

/// The text of a string attribute.
func text(_ attribute: (any SpanAttributeConvertible)?) -> String? {
    if case .string(let value) = attribute?.toSpanAttribute() {
        return value
    }
    return nil
}

@Suite("Tracing")
struct TracingTests {
    @Test("a server span per RPC with its attributes; handlers run in the span's context; client spans are children of the caller's context")
    func spans() async throws {
        let tracer = InMemoryTracer()
        // The span id each deferred handler saw as its current context.
        let seenByHandler = Mutex<[String]>([])
        let service = ScriptedService { request in
            switch request.body.message {
            case "defer":
                return .deferred {
                    let spanID = ServiceContext.current?.inMemorySpanContext?.spanID ?? "none"
                    seenByHandler.withLock { $0.append(spanID) }
                    return .with { $0.echo.message = "deferred" }
                }
            case "refuse":
                return .cancelled
            default:
                return .response(.with { $0.echo.message = request.body.message })
            }
        }
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
            responders: service,
            logger: quietLogger,
            tracing: RPCTracing(tracer: tracer, spanName: "echo.server")
        )
        let running = Task { try await server.run() }
        let client = try await EchoClient.connect(
            host: "127.0.0.1",
            port: server.localAddress?.port ?? 0,
            connector: TCPConnector(logger: quietLogger),
            tracing: RPCTracing(tracer: tracer, spanName: "echo.client")
        ) {
            ProtobufCodec<Echo_Response, Echo_Request>()
        }

        // A parent span around the calls: client spans must be its children.
        let parent = tracer.startSpan("caller")
        try await ServiceContext.withValue(parent.context) {
            _ = try await client.unary(.with { $0.body.message = "hello" })
            _ = try await client.unary(.with { $0.body.message = "defer" })
            await #expect(throws: RPCError.cancelledRemotely) {
                _ = try await client.unary(.with { $0.body.message = "refuse" })
            }
        }
        parent.end()
        await client.close()
        await server.close()
        _ = await running.result

        let finished = tracer.finishedSpans
        let servers = finished.filter { $0.operationName == "echo.server" }
        let clients = finished.filter { $0.operationName == "echo.client" }
        #expect(servers.count == 3)
        #expect(clients.count == 3)
        for span in servers {
            #expect(span.kind == .server)
            #expect(text(span.attributes["rpc.system"]) == "protosocket")
            #expect(span.attributes["network.peer.address"] != nil)
            #expect(span.attributes["rpc.protosocket.message_id"] != nil)
        }
        let serverOutcomes = servers.compactMap { text($0.attributes["rpc.protosocket.outcome"]) }
        #expect(serverOutcomes.sorted() == ["ok", "ok", "refused"])
        let clientOutcomes = clients.compactMap { text($0.attributes["rpc.protosocket.outcome"]) }
        #expect(clientOutcomes.sorted() == ["cancelled_remotely", "ok", "ok"])
        let parentID = finished.first { $0.operationName == "caller" }?.spanID
        for span in clients {
            #expect(span.kind == .client)
            #expect(span.parentSpanID == parentID)
        }
        // The deferred handler ran with its own server span's context.
        let handlerSpans = seenByHandler.withLock { $0 }
        #expect(handlerSpans.count == 1)
        #expect(servers.contains { $0.spanID == handlerSpans.first })
    }

    @Test("with no tracer bootstrapped, the default is no tracing (the no-op tracer is not used)")
    func untraced() {
        #expect(RPCTracing.bootstrapped == nil)
    }
}
