import NIOEmbedded
@testable import Protosocket
@testable import ProtosocketRPC
import Testing

@Suite("RunningRPCCounter")
struct RunningRPCCounterTests {
    @Test("the cap holds; a release frees a place; without a cap every acquire counts")
    func cap() {
        let capped = RunningRPCCounter(limit: 2)
        #expect(capped.tryAcquire() && capped.tryAcquire())
        #expect(!capped.tryAcquire())
        capped.release()
        #expect(capped.tryAcquire())
        let open = RunningRPCCounter(limit: nil)
        for _ in 0..<1_000 {
            _ = open.tryAcquire()
        }
        #expect(open.count.load(ordering: .relaxed) == 1_000)
    }

    @Test("a connection that registers on every turn is kept once, and a release clears the list")
    func waitersAreBounded() {
        let counter = RunningRPCCounter(limit: 1)
        let waker = ConnectionWaker(eventLoop: EmbeddedEventLoop())
        for _ in 0..<100 {
            counter.wakeOnRelease(waker)
        }
        #expect(counter.waiters.withLock { $0.count } == 1)
        _ = counter.tryAcquire()
        counter.release()
        #expect(counter.waiters.withLock { $0.count } == 0)
    }
}
