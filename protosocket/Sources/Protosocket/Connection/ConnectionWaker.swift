import NIOCore
import Synchronization

/// Runs a connection turn on its event loop.
protocol TurnRunner: AnyObject {
    func runTurn()
}

/// Asks a connection to run a turn (poll its reactor, drain its queue) from any
/// thread.
///
/// Wakes are coalesced: however many arrive before the turn runs, they cost one
/// `eventLoop.execute`. Sends through the connection's `Sender` wake it by
/// themselves; a reactor uses this to be polled after work it started elsewhere
/// completes.
public final class ConnectionWaker: Sendable {
    private let scheduled = Atomic<Bool>(false)
    /// The loop the connection lives on.
    public let eventLoop: any EventLoop
    private let target: NIOLoopBoundBox<(any TurnRunner)?>

    @usableFromInline
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.target = NIOLoopBoundBox.makeEmptyBox(valueType: (any TurnRunner).self, eventLoop: eventLoop)
    }

    /// Schedules one turn of the connection unless one is already scheduled.
    public func wake() {
        if !scheduled.exchange(true, ordering: .acquiringAndReleasing) {
            eventLoop.execute { self.fire() }
        }
    }

    private func fire() {
        // Cleared before the turn, so that work arriving during it schedules another.
        scheduled.store(false, ordering: .releasing)
        target.value?.runTurn()
    }

    /// Points the waker at a connection; on its event loop only.
    func attach(_ runner: (any TurnRunner)?) {
        target.value = runner
    }
}
