import EchoProto
import CoreMetrics
import NIOEmbedded
@testable import Protosocket
@testable import ProtosocketRPC
import Testing
import TestSupport

@Suite("Interleaved streams")
struct StreamInterleavingTests {
    @Test("the client sorts interleaved runs of two streams into their own buffers, and drops what comes after a stream's end")
    func clientSortsInterleavedResponses() {
        let waker = ConnectionWaker(eventLoop: EmbeddedEventLoop())
        let pendingCount = PendingCallCount()
        var reactor = ClientReactor<Echo_Request, Echo_Response>(
            slowConsumer: .default,
            logger: quietLogger,
            waker: waker,
            metrics: NOOPMetricsHandler.instance,
            pendingCount: pendingCount
        )
        let first = ResponseBuffer<Echo_Response>(id: 1, limit: 100, waker: waker) { _ in }
        let second = ResponseBuffer<Echo_Response>(id: 2, limit: 100, waker: waker) { _ in }
        _ = reactor.onCommand(.stream(streamRequest(id: 1), first, deadline: nil))
        _ = reactor.onCommand(.stream(streamRequest(id: 2), second, deadline: nil))
        #expect(pendingCount.load() == 2)

        for (id, text) in [(1, "a1"), (1, "a2"), (2, "b1"), (1, "a3"), (2, "b2")] {
            #expect(reactor.onInbound(item(text, id: UInt64(id))) == .continue)
        }
        #expect(reactor.onInbound(.ended(id: 1)) == .continue)
        #expect(pendingCount.load() == 1)
        // A response for the stream that just ended: dropped, not delivered.
        #expect(reactor.onInbound(item("a4", id: 1)) == .continue)
        #expect(reactor.onInbound(item("b3", id: 2)) == .continue)
        #expect(reactor.onInbound(.ended(id: 2)) == .continue)
        #expect(pendingCount.load() == 0)
        reactor.onInboundBatchEnd()

        #expect(drain(first) == ["a1", "a2", "a3"])
        #expect(drain(second) == ["b1", "b2", "b3"])
    }

    @Test("an endless stream does not hold back the other streams on its connection")
    func endlessStreamDoesNotStarveOthers() async throws {
        let server = try await TestServer.start(ScriptedService { request in
            if request.body.message == "endless" {
                return .asyncStream(EndlessBursts())
            }
            var echo = EchoResponder()
            return echo.answer(request)
        })
        let client = try await server.connect()
        let received = Counter()
        let endless = Task {
            for try await _ in client.streaming(echoRequest("endless", stream: true)) {
                received.increment()
            }
        }
        #expect(await eventually { received.value >= 1_000 })
        try await withHangGuard(seconds: 60) {
            for call in 0..<10 {
                let message = "short stream \(call)"
                var echoed = ""
                for try await response in client.streaming(echoRequest(message, stream: true)) {
                    echoed += response.stream.message
                }
                #expect(echoed == message)
            }
        }
        endless.cancel()
        _ = await endless.result
        await client.close()
        await server.close()
    }

    private func streamRequest(id: UInt64) -> Echo_Request {
        var request = echoRequest("stream \(id)", stream: true)
        request.requestID = id
        return request
    }

    private func item(_ text: String, id: UInt64) -> Echo_Response {
        .with {
            $0.requestID = id
            $0.stream.message = text
        }
    }

    /// What the consumer of `buffer` gets: every response, until the end.
    private func drain(_ buffer: ResponseBuffer<Echo_Response>) -> [String] {
        var texts: [String] = []
        var batch = MessageQueue<Echo_Response>()
        while true {
            switch buffer.state.withLock({ $0.take(into: &batch) }) {
            case .responses:
                while let response = batch.popFirst() {
                    texts.append(response.stream.message)
                }
            case .end, .nothing:
                return texts
            }
        }
    }
}

/// Responses forever, in bursts of 64 with a millisecond between bursts: the
/// stream's slot is often full, yet the test leaves the other tests some CPU.
private struct EndlessBursts: AsyncSequence, Sendable {
    func makeAsyncIterator() -> Iterator {
        Iterator()
    }

    struct Iterator: AsyncIteratorProtocol {
        var produced: UInt64 = 0

        mutating func next() async throws -> Echo_Response? {
            if produced % 64 == 63 {
                try await Task.sleep(for: .milliseconds(1))
            }
            produced += 1
            let sequence = produced
            return .with { $0.stream = .with { $0.message = "e"; $0.sequence = sequence } }
        }
    }
}
