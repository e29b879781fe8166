import CoreMetrics
import EchoProto
import NIOEmbedded
@testable import Protosocket
@testable import ProtosocketRPC
import Testing
import TestSupport

/// The count the pool routes by: the client reactor's pending calls, and its close.
@Suite("PendingCallCount")
struct PendingCallCountTests {
    @Test("the reactor counts its pending calls, and its close reads as no count at all, not as an idle connection")
    func closeIsNotIdle() {
        let pendingCount = PendingCallCount()
        let waker = ConnectionWaker(eventLoop: EmbeddedEventLoop())
        var reactor = ClientReactor<Echo_Request, Echo_Response>(slowConsumer: .default, logger: quietLogger, waker: waker, metrics: NOOPMetricsHandler.instance, pendingCount: pendingCount)
        #expect(pendingCount.loadIfOpen() == 0)
        let buffer = ResponseBuffer<Echo_Response>(id: 1, limit: 100, waker: waker) { _ in }
        var request = echoRequest("stream", stream: true)
        request.requestID = 1
        _ = reactor.onCommand(.stream(request, buffer, deadline: nil))
        #expect(pendingCount.loadIfOpen() == 1)
        #expect(pendingCount.load() == 1)

        reactor.onClose(.closedLocally)
        #expect(pendingCount.loadIfOpen() == nil)
        #expect(pendingCount.load() == 0)
    }
}
