import CoreMetrics
import EchoProto
import NIOCore
import NIOEmbedded
@testable import Protosocket
@testable import ProtosocketRPC
import Testing
import TestSupport

/// The client reactor's deadlines, driven directly: one timer for the earliest
/// deadline, expiry on `poll()`, the `cancel` sent from `pollOutbound`.
@Suite("Client deadlines in the reactor")
struct ClientDeadlineTests {
    func makeReactor(_ loop: EmbeddedEventLoop) -> ClientReactor<Echo_Request, Echo_Response> {
        ClientReactor(slowConsumer: .default, logger: quietLogger, waker: ConnectionWaker(eventLoop: loop), metrics: NOOPMetricsHandler.instance, pendingCount: PendingCallCount())
    }

    func request(_ id: UInt64) -> Echo_Request {
        var request = echoRequest("x")
        request.messageID = id
        return request
    }

    @Test("a call past its deadline fails with deadlineExceeded on the next poll; its caller's cancel then goes out; a call within its deadline stays, with the timer armed for it")
    func expiry() async {
        let loop = EmbeddedEventLoop()
        var reactor = makeReactor(loop)
        let buffer = ResponseBuffer<Echo_Response>(id: 2, limit: 8, waker: reactor.waker) { _ in }
        let later = NIODeadline.now() + .seconds(3_600)
        var caught: (any Error)?
        do {
            _ = try await withUnsafeThrowingContinuation { (late: UnsafeContinuation<Echo_Response, any Error>) in
                _ = reactor.onCommand(.unary(request(1), late, deadline: .now() - .milliseconds(1)))
                _ = reactor.onCommand(.stream(request(2), buffer, deadline: later))
                #expect(reactor.deadlines.count == 2)
                #expect(reactor.poll() == .continue)
            }
        } catch {
            caught = error
        }
        #expect(caught as? RPCError == .deadlineExceeded)
        // The caller, woken with the error, asks for the cancel: it goes out once.
        let cancel = reactor.onCommand(.cancel(1))
        #expect(cancel?.messageID == 1)
        #expect(cancel?.controlCode == .cancel)
        #expect(reactor.onCommand(.cancel(1)) == nil)
        #expect(Array(reactor.deadlines.keys) == [2])
        #expect(reactor.deadlineTimer?.at == later)
        // The stream ends in time: its deadline goes with it, the timer stays armed
        // (it finds nothing due when it fires).
        _ = reactor.onInbound(.ended(id: 2))
        #expect(reactor.deadlines.isEmpty)
        reactor.onClose(.closedLocally)
        #expect(reactor.deadlineTimer == nil)
    }

    @Test("a later deadline does not move the timer; an earlier one does")
    func timerFollowsEarliest() async {
        let loop = EmbeddedEventLoop()
        var reactor = makeReactor(loop)
        let first = NIODeadline.now() + .seconds(100)
        let buffers = (1...3).map { ResponseBuffer<Echo_Response>(id: UInt64($0), limit: 8, waker: reactor.waker) { _ in } }
        _ = reactor.onCommand(.stream(request(1), buffers[0], deadline: first))
        _ = reactor.onCommand(.stream(request(2), buffers[1], deadline: first + .seconds(50)))
        #expect(reactor.deadlineTimer?.at == first)
        _ = reactor.onCommand(.stream(request(3), buffers[2], deadline: first - .seconds(50)))
        #expect(reactor.deadlineTimer?.at == first - .seconds(50))
        // Nothing is due yet: poll expires nothing.
        #expect(reactor.poll() == .continue)
        #expect(reactor.deadlines.count == 3)
        reactor.onClose(.closedLocally)
    }
}
