import EchoProto
import Protosocket
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import ServiceContextModule
import Synchronization
import Testing
import TestSupport

private enum TestTag: ServiceContextKey {
    typealias Value = String
}

@Suite("RPC server lifecycle")
struct ServerLifecycleTests {
    @Test("run() returns only after every handler task has ended, even one that finishes its cleanup after cancellation")
    func runAwaitsHandlers() async throws {
        let started = Counter()
        let finished = Counter()
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
            responders: ScriptedService { _ in
                .deferred {
                    started.increment()
                    // Ignores cancellation for a while, as cleanup might.
                    try? await Task.sleep(for: .seconds(3_600))
                    // An uncancelled task: the cleanup takes its time.
                    _ = await Task { try? await Task.sleep(for: .milliseconds(300)) }.value
                    finished.increment()
                    return Echo_Response()
                }
            },
            logger: quietLogger
        )
        try await withHangGuard(seconds: 60) {
            try await withThrowingTaskGroup { group in
                group.addTask { try await server.run() }
                let client = try await EchoClient.connect(host: "127.0.0.1", port: server.localAddress?.port ?? 0) {
                    ProtobufCodec<Echo_Response, Echo_Request>()
                }
                let calls = (0..<3).map { _ in Task { try? await client.unary(echoRequest("slow")) } }
                #expect(await eventually { started.value == 3 })
                await server.close()
                try await group.next()
                // run() has returned: every handler has finished its cleanup.
                #expect(finished.value == 3)
                #expect(server.runningRPCCount == 0)
                for call in calls {
                    _ = await call.value
                }
                await client.close()
            }
        }
    }

    @Test("a ServiceContext set around run() is visible in handler tasks")
    func serviceContextReachesHandlers() async throws {
        let seen = Mutex<String?>(nil)
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
            responders: ScriptedService { _ in
                .deferred {
                    seen.withLock { $0 = ServiceContext.current?[TestTag.self] }
                    return .with { $0.echo.message = "seen" }
                }
            },
            logger: quietLogger
        )
        let context = {
            var context = ServiceContext.topLevel
            context[TestTag.self] = "set around run()"
            return context
        }()
        try await withHangGuard(seconds: 60) {
            try await withThrowingTaskGroup { group in
                group.addTask {
                    try await ServiceContext.withValue(context) {
                        try await server.run()
                    }
                }
                let client = try await EchoClient.connect(host: "127.0.0.1", port: server.localAddress?.port ?? 0) {
                    ProtobufCodec<Echo_Response, Echo_Request>()
                }
                #expect(try await client.unary(echoRequest("who")).echo.message == "seen")
                await client.close()
                await server.close()
                try await group.waitForAll()
            }
        }
        #expect(seen.withLock { $0 } == "set around run()")
    }

    @Test("run() called a second time throws at once")
    func runTwice() async throws {
        let server = RPCServer(responders: EchoService())
        await withThrowingTaskGroup { group in
            group.addTask { try await server.run() }
            // Whichever call runs second fails; close() ends the first.
            let second: Result<Void, any Error>
            do {
                try await withHangGuard(seconds: 10) {
                    try await Task.sleep(for: .milliseconds(50))
                    try await server.run()
                }
                second = .success(())
            } catch {
                second = .failure(error)
            }
            await server.close()
            let first: Result<Void, any Error>
            do {
                try await group.next()
                first = .success(())
            } catch {
                first = .failure(error)
            }
            let failures = [first, second].compactMap { result -> (any Error)? in
                if case .failure(let error) = result { return error }
                return nil
            }
            #expect(failures.count == 1)
            #expect(failures.first as? RPCServerError == .alreadyRunning)
        }
    }

    @Test("a second iterator of a response stream throws alreadyIterated at once; the first is unaffected")
    func secondIteratorFails() async throws {
        let server = try await TestServer.start(EchoService())
        let client = try await server.connect()
        try await withHangGuard(seconds: 60) {
            let stream = client.streaming(echoRequest("abc", stream: true))
            var first = stream.makeAsyncIterator()
            var second = stream.makeAsyncIterator()
            await #expect(throws: RPCError.alreadyIterated) {
                _ = try await second.next()
            }
            var letters = ""
            while let item = try await first.next() {
                letters += item.stream.message
            }
            #expect(letters == "abc")
        }
        await client.close()
        await server.close()
    }
}
