@testable import ProtosocketRPC
import Testing

/// The server-side async stream slot, transition by transition.
@Suite("StreamSlotState")
struct StreamSlotStateTests {
    typealias State = StreamSlotState<Int>

    /// Runs `body` with a real continuation, which `body` must resume on every
    /// path (the machine only stores and hands it back).
    func withContinuation(_ body: (UnsafeContinuation<Void, any Error>) -> Void) async {
        _ = try? await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            body(continuation)
        }
    }

    @Test("appends announce once per idle-to-ready edge and report full at capacity")
    func appendAnnouncesOnEdge() {
        var state = State(capacity: 2)
        #expect(state.append(1) == .queued(announce: true, isFull: false))
        #expect(state.append(2) == .queued(announce: false, isFull: true))
        var batch = MessageQueue<Int>()
        guard case .took(let waiting) = state.take(into: &batch) else {
            Issue.record("expected a take")
            return
        }
        #expect(waiting == nil)
        #expect(batch.popFirst() == 1 && batch.popFirst() == 2)
        // Still announced: the reactor serves the slot until a take finds it empty.
        #expect(state.append(3) == .queued(announce: false, isFull: false))
        _ = state.take(into: &batch)
        _ = batch.popFirst()
        guard case .empty = state.take(into: &batch) else {
            Issue.record("expected empty")
            return
        }
        // Empty take cleared the announcement: the next append announces again.
        #expect(state.append(4) == .queued(announce: true, isFull: false))
    }

    @Test("waiting for room: kept while full, resumed by the take that empties it")
    func waitThenTakeResumes() async {
        var state = State(capacity: 1)
        #expect(state.append(1) == .queued(announce: true, isFull: true))
        await withContinuation { continuation in
            guard case .wait = state.waitForRoom(continuation) else {
                Issue.record("a full slot must keep the continuation")
                continuation.resume()
                return
            }
            var batch = MessageQueue<Int>()
            guard case .took(let waiting) = state.take(into: &batch) else {
                Issue.record("expected a take")
                continuation.resume()
                return
            }
            #expect(waiting != nil)
            waiting?.resume()
        }
    }

    @Test("waiting with room resumes at once; after cancel it fails")
    func waitWithRoomOrCancelled() async {
        var state = State(capacity: 2)
        _ = state.append(1)
        await withContinuation { continuation in
            guard case .resume = state.waitForRoom(continuation) else {
                Issue.record("a slot with room must resume at once")
                return
            }
            continuation.resume()
        }
        #expect(state.cancel() == nil)
        await withContinuation { continuation in
            guard case .fail = state.waitForRoom(continuation) else {
                Issue.record("a cancelled slot must fail the wait")
                return
            }
            continuation.resume(throwing: CancellationError())
        }
    }

    @Test("cancel returns the waiting task, drops the queue, and rejects later appends and finishes")
    func cancelWhileWaiting() async {
        var state = State(capacity: 1)
        _ = state.append(1)
        await withContinuation { continuation in
            _ = state.waitForRoom(continuation)
            let waiting = state.cancel()
            #expect(waiting != nil)
            waiting?.resume(throwing: CancellationError())
        }
        #expect(state.items.isEmpty)
        #expect(state.append(2) == .rejected)
        #expect(state.finish(succeeded: true) == false)
        var batch = MessageQueue<Int>()
        guard case .empty = state.take(into: &batch) else {
            Issue.record("a cancelled slot hands out nothing")
            return
        }
    }

    @Test("finish: queued responses first, then the outcome; a second finish is ignored")
    func finishAfterQueue() {
        var state = State(capacity: 4)
        _ = state.append(1)
        #expect(state.finish(succeeded: false) == false, "already announced by the append")
        #expect(state.finish(succeeded: true) == false)
        #expect(state.append(2) == .rejected)
        var batch = MessageQueue<Int>()
        guard case .took = state.take(into: &batch) else {
            Issue.record("the queued response comes first")
            return
        }
        guard case .finished(let succeeded) = state.take(into: &batch) else {
            Issue.record("then the outcome")
            return
        }
        #expect(succeeded == false)
    }

    @Test("finish on an idle slot announces it")
    func finishIdleAnnounces() {
        var state = State(capacity: 4)
        #expect(state.finish(succeeded: true) == true)
    }
}
