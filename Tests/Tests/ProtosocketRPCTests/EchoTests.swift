import EchoProto
import ProtosocketRPC
import Testing
import TestSupport

@Suite("RPC echo over loopback")
struct EchoTests {
    @Test("a unary echo returns the message and nanotime, with the request's id")
    func unaryEcho() async throws {
        let server = try await TestServer.start(EchoService())
        let client = try await server.connect()
        var request = echoRequest("hello")
        request.body.nanotime = 42
        let response = try await client.unary(request)
        #expect(response.echo.message == "hello")
        #expect(response.echo.nanotime == 42)
        #expect(response.controlCode == .normal)
        #expect(response.requestID != 0)
        await client.close()
        await server.close()
    }

    @Test("64 tasks x 200 concurrent unary calls are each answered with their own payload")
    func concurrentUnary() async throws {
        let server = try await TestServer.start(EchoService())
        let client = try await server.connect()
        let mismatches = try await withHangGuard {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<64 {
                    group.addTask {
                        try await withThrowingTaskGroup(of: Bool.self) { calls in
                            for call in 0..<200 {
                                calls.addTask {
                                    let payload = "task \(task) call \(call)"
                                    return try await client.unary(echoRequest(payload)).echo.message == payload
                                }
                            }
                            return try await calls.reduce(0) { $0 + ($1 ? 0 : 1) }
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        #expect(mismatches == 0)
        await client.close()
        await server.close()
    }

    @Test("a streaming echo of \"hello\" gives h,e,l,l,o with sequence 0...4, then finishes")
    func streamingEcho() async throws {
        let server = try await TestServer.start(EchoService())
        let client = try await server.connect()
        var items: [(String, UInt64)] = []
        for try await response in client.streaming(echoRequest("hello", stream: true)) {
            items.append((response.stream.message, response.stream.sequence))
        }
        #expect(items.map(\.0) == ["h", "e", "l", "l", "o"])
        #expect(items.map(\.1) == [0, 1, 2, 3, 4])
        await client.close()
        await server.close()
    }

    @Test("a request without a body fails with cancelled remotely, unary or streaming")
    func missingBodyIsCancelled() async throws {
        let server = try await TestServer.start(EchoService())
        let client = try await server.connect()
        await #expect(throws: RPCError.cancelledRemotely) {
            try await client.unary(Echo_Request())
        }
        await #expect(throws: RPCError.cancelledRemotely) {
            for try await _ in client.streaming(Echo_Request.with { $0.responseBehavior = .stream }) {}
        }
        // The connection is still good.
        #expect(try await client.unary(echoRequest("still here")).echo.message == "still here")
        await client.close()
        await server.close()
    }

    @Test("a deferred answer arrives; a deferred answer that throws is cancelled remotely")
    func deferredAnswers() async throws {
        struct Refused: Error {}
        let server = try await TestServer.start(ScriptedService { request in
            let message = request.body.message
            return .deferred {
                try await Task.sleep(for: .milliseconds(1))
                guard message != "refuse" else {
                    throw Refused()
                }
                return .with { $0.echo.message = message.uppercased() }
            }
        })
        let client = try await server.connect()
        #expect(try await client.unary(echoRequest("later")).echo.message == "LATER")
        await #expect(throws: RPCError.cancelledRemotely) {
            try await client.unary(echoRequest("refuse"))
        }
        await client.close()
        await server.close()
    }

    @Test("control codes other than 0, 1 and 2 read as cancel")
    func unknownControlCode() {
        #expect(RPCControlCode(wireValue: 0) == .normal)
        #expect(RPCControlCode(wireValue: 1) == .cancel)
        #expect(RPCControlCode(wireValue: 2) == .end)
        #expect(RPCControlCode(wireValue: 3) == .cancel)
        #expect(RPCControlCode(wireValue: .max) == .cancel)
    }
}
