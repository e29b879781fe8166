import EchoProto
import ProtosocketRPC
import Testing
import TestSupport

@Suite("RPC cancellation and connection death")
struct CancellationTests {
    @Test("cancelling the calling task cancels the server's work; the caller gets CancellationError")
    func taskCancellation() async throws {
        let started = Counter()
        let cancelled = Counter()
        let server = try await TestServer.start(ScriptedService { _ in
            waitUntilCancelled(started: started, cancelled: cancelled)
        })
        let client = try await server.connect()
        let call = Task { try await client.unary(echoRequest("wait")) }
        #expect(await eventually { started.value == 1 })
        call.cancel()
        let result = await call.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(await eventually { cancelled.value == 1 })
        // The connection is still good.
        #expect(client.isAlive)
        await client.close()
        await server.close()
    }

    @Test("abandoning a stream after 3 of 1,000 items stops the server's stream")
    func abandonedStream() async throws {
        let produced = Counter()
        let ended = Counter()
        let server = try await TestServer.start(ScriptedService { request in
            guard request.responseBehavior == .stream else {
                return .response(.with { $0.echo.message = request.body.message })
            }
            // 64 KiB items: 1,000 of them far exceed every buffer on the way.
            return .asyncStream(CountingStream(count: 1_000, payload: 64 << 10, produced: produced, ended: ended))
        })
        // Buffer at most 2 responses, so that what is not consumed stops the reading.
        let client = try await server.connect(streamBufferLimit: 2)
        var received = 0
        for try await _ in client.streaming(echoRequest("many", stream: true)) {
            received += 1
            if received == 3 {
                break
            }
        }
        #expect(received == 3)
        // The server's stream ends (its iterator is released) without producing them all.
        #expect(await eventually { ended.value == 1 })
        #expect(produced.value < 1_000)
        // The connection still works for other calls.
        #expect(try await client.unary(echoRequest("after")).echo.message == "after")
        await client.close()
        await server.close()
    }

    @Test("with 500 calls in flight, closing the server fails every call with connection closed")
    func connectionDeath() async throws {
        let started = Counter()
        let cancelled = Counter()
        let server = try await TestServer.start(
            ScriptedService { _ in waitUntilCancelled(started: started, cancelled: cancelled) },
            limits: RPCServerLimits(maxRunningRPCsPerConnection: 500)
        )
        let client = try await server.connect()
        let outcomes = try await withHangGuard(seconds: 120) {
            try await withThrowingTaskGroup(of: (any Error)?.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        do {
                            _ = try await client.unary(echoRequest("call \(index)"))
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                #expect(await eventually { started.value == 500 })
                await server.close()
                var errors: [(any Error)?] = []
                for try await outcome in group {
                    errors.append(outcome)
                }
                return errors
            }
        }
        #expect(outcomes.count == 500)
        #expect(outcomes.allSatisfy { ($0 as? RPCError) == .connectionClosed })
        #expect(!client.isAlive)
        // The server's work was stopped too.
        #expect(await eventually { cancelled.value == 500 })
        // Later calls fail at once, never sent.
        await #expect(throws: RPCError.notSent) {
            try await client.unary(echoRequest("late"))
        }
    }
}

