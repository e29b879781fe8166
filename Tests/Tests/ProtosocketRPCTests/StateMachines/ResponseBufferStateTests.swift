@testable import ProtosocketRPC
import Testing

/// The client-side stream buffer, transition by transition.
@Suite("ResponseBufferState")
struct ResponseBufferStateTests {
    typealias State = ResponseBufferState<Int>

    @Test("pushes buffer up to the limit, then report full; a take makes room")
    func pushUntilFull() {
        var state = State(limit: 2)
        guard case .buffered(nil, false) = state.push(1) else {
            Issue.record("first push")
            return
        }
        guard case .buffered(nil, true) = state.push(2) else {
            Issue.record("second push fills")
            return
        }
        #expect(!state.hasRoom)
        var batch = MessageQueue<Int>()
        guard case .responses(madeRoom: true) = state.take(into: &batch) else {
            Issue.record("a take of a full buffer makes room")
            return
        }
        #expect(state.hasRoom)
        guard case .nothing = state.take(into: &batch) else {
            Issue.record("nothing more yet")
            return
        }
    }

    @Test("a waiting consumer is handed back by the next push, once")
    func waitingConsumerResumedByPush() async {
        var state = State(limit: 4)
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let kept = state.wait(continuation)
            #expect(kept)
            guard case .buffered(let consumer, false) = state.push(1) else {
                Issue.record("push")
                continuation.resume()
                return
            }
            #expect(consumer != nil)
            guard case .buffered(nil, false) = state.push(2) else {
                Issue.record("the consumer is handed back once")
                consumer?.resume()
                return
            }
            consumer?.resume()
        }
    }

    @Test("wait with something buffered or after the end does not keep the continuation")
    func waitRefusedWhenReady() async {
        var state = State(limit: 4)
        _ = state.push(1)
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let kept = state.wait(continuation)
            #expect(!kept)
            continuation.resume()
        }
        var ended = State(limit: 4)
        #expect(ended.finish(.success(())) == nil)
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let kept = ended.wait(continuation)
            #expect(!kept)
            continuation.resume()
        }
    }

    @Test("the end comes after the buffered responses, is reported once, and later pushes are dropped")
    func endAfterResponses() {
        var state = State(limit: 4)
        _ = state.push(1)
        #expect(state.finish(.failure(RPCError.cancelledRemotely)) == nil)
        #expect(state.finish(.success(())) == nil, "the first end wins")
        guard case .dropped = state.push(2) else {
            Issue.record("pushes after the end are dropped")
            return
        }
        var batch = MessageQueue<Int>()
        guard case .responses = state.take(into: &batch) else {
            Issue.record("buffered responses first")
            return
        }
        guard case .end(.failure(let error)) = state.take(into: &batch) else {
            Issue.record("then the error")
            return
        }
        #expect(error as? RPCError == .cancelledRemotely)
        guard case .end(.success) = state.take(into: &batch) else {
            Issue.record("the error is reported once; afterwards the stream is over")
            return
        }
    }

    @Test("the consumer's own cancellation drops what is buffered")
    func cancellationDropsBuffered() {
        var state = State(limit: 4)
        _ = state.push(1)
        _ = state.finish(.failure(CancellationError()))
        var batch = MessageQueue<Int>()
        guard case .end(.failure(let error)) = state.take(into: &batch) else {
            Issue.record("straight to the end")
            return
        }
        #expect(error is CancellationError)
    }

    @Test("an abandoned buffer drops everything and always has room")
    func abandon() {
        var state = State(limit: 1)
        _ = state.push(1)
        #expect(!state.hasRoom)
        state.abandon()
        #expect(state.hasRoom)
        #expect(state.items.isEmpty)
        guard case .dropped = state.push(2) else {
            Issue.record("pushes to an abandoned buffer are dropped")
            return
        }
        #expect(state.finish(.success(())) == nil)
    }
}
