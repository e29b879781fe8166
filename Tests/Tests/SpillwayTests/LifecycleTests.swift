@testable import Spillway
import Testing
import TestSupport

@Suite("Spillway capacity, closing and waking")
struct LifecycleTests {
    @Test("capacity 3 refuses the 4th send with the value, and accepts after one receive")
    func capacityIsEnforced() throws {
        let (sender, receiver) = SpillwayChannel.make(of: Int.self, capacity: 3)
        let other = sender.makeSender()
        try sender.send(1)
        try other.send(2)
        try sender.send(3)
        #expect(throws: SendError.full(4)) { try other.send(4) }
        #expect(throws: SendError.full([4, 5])) { try sender.send(contentsOf: [4, 5]) }
        #expect(receiver.tryNext() == 1)
        try other.send(4)
        #expect(throws: SendError.full(5)) { try sender.send(5) }
    }

    @Test("sends after the receiver is gone fail with the value handed back")
    func sendsFailAfterReceiverIsGone() {
        var channel: (sender: Sender<String>, receiver: Receiver<String>)? = SpillwayChannel.make(of: String.self)
        let sender = channel!.sender
        #expect(!sender.isClosed)
        channel = nil
        #expect(sender.isClosed)
        #expect(throws: SendError.closed("late")) { try sender.send("late") }
        #expect(throws: SendError.closed(["a", "b"])) { try sender.send(contentsOf: ["a", "b"]) }
    }

    @Test("close() refuses later sends but keeps what was sent receivable")
    func closeKeepsQueuedMessages() throws {
        let (sender, receiver) = SpillwayChannel.make(of: Int.self)
        let other = sender.makeSender()
        try sender.send(1)
        try other.send(2)
        receiver.close()
        #expect(sender.isClosed)
        #expect(throws: SendError.closed(3)) { try sender.send(3) }
        var received: [Int] = []
        while let value = receiver.tryNext() {
            received.append(value)
        }
        #expect(received.sorted() == [1, 2])
        #expect(receiver.isFinished)
    }

    @Test("next() returns nil only after the last sender is gone and everything is drained")
    func endOfStream() async throws {
        var first: Sender<Int>?
        let receiver: Receiver<Int>
        (first, receiver) = SpillwayChannel.make(of: Int.self)
        var last = first?.makeSender()
        try first?.send(1)
        try last?.send(2)
        first = nil
        #expect(await receiver.next() == 1)
        #expect(await receiver.next() == 2)
        #expect(receiver.tryNext() == nil)
        #expect(!receiver.isFinished)

        try last?.send(3)
        last = nil
        #expect(!receiver.isFinished)
        #expect(await receiver.next() == 3)
        #expect(receiver.isFinished)
        #expect(await receiver.next() == nil)
    }

    @Test("a suspended next() is resumed by a send from another thread")
    func suspendedNextIsResumed() async throws {
        let (sender, receiver) = SpillwayChannel.make(of: String.self)
        let waker = receiver.shared.waker
        let waiting = Task { await receiver.next() }
        // Wait (bounded) until the receiver has parked, so that the send below
        // really has to wake it.
        #expect(await eventually { waker.isArmed.load(ordering: .relaxed) })
        await runOnThreads(1) { _ in try? sender.send("from a thread") }
        #expect(await waiting.value == "from a thread")
    }

    @Test("a suspended next() returns nil when its task is cancelled")
    func cancelledNextReturnsNil() async throws {
        let (sender, receiver) = SpillwayChannel.make(of: Int.self)
        let waker = receiver.shared.waker
        let waiting = Task { await receiver.next() }
        #expect(await eventually { waker.isArmed.load(ordering: .relaxed) })
        waiting.cancel()
        #expect(await waiting.value == nil)
        withExtendedLifetime(sender) {}
    }

    @Test("a suspended next() ends when the last sender goes away")
    func lastSenderWakesParkedReceiver() async throws {
        var sender: Sender<Int>? = nil
        let receiver: Receiver<Int>
        (sender, receiver) = SpillwayChannel.make(of: Int.self)
        let waker = receiver.shared.waker
        let waiting = Task { await receiver.next() }
        #expect(await eventually { waker.isArmed.load(ordering: .relaxed) })
        #expect(sender != nil)
        sender = nil
        #expect(await waiting.value == nil)
    }

    @Test("the wake handler fires once per empty-to-non-empty lane edge, not per message")
    func wakeHandlerFiresPerEdge() throws {
        let (sender, receiver) = SpillwayChannel.make(of: Int.self)
        let wakes = Counter()
        receiver.setWakeHandler { wakes.increment() }

        try sender.send(1)
        try sender.send(2)
        try sender.send(contentsOf: [3, 4])
        #expect(wakes.value == 1)

        let other = sender.makeSender()
        try other.send(5)
        #expect(wakes.value == 2)

        // Taking the first lane's batch empties it: its next send is a new edge.
        #expect(receiver.tryNext() == 1)
        try sender.send(6)
        #expect(wakes.value == 3)
        try sender.send(7)
        #expect(wakes.value == 3)

        receiver.setWakeHandler(nil)
        try other.send(8)
        #expect(wakes.value == 3)
    }

    @Test("the wake handler fires when the last sender goes away")
    func wakeHandlerFiresOnLastSender() {
        var senders: [Sender<Int>]
        let receiver: Receiver<Int>
        do {
            let channel = SpillwayChannel.make(of: Int.self)
            senders = [channel.sender, channel.sender.makeSender()]
            receiver = channel.receiver
        }
        let wakes = Counter()
        receiver.setWakeHandler { wakes.increment() }
        senders.removeLast()
        #expect(wakes.value == 0)
        #expect(!receiver.isFinished)
        senders.removeAll()
        #expect(wakes.value == 1)
        #expect(receiver.isFinished)
    }

    @Test("the dirty-lane count follows the lanes through sends, receives and close")
    func dirtyLaneCountFollowsLanes() throws {
        let (first, receiver) = SpillwayChannel.make(of: Int.self, lanes: 3)
        let second = first.makeSender()
        let third = second.makeSender()
        let count = { receiver.shared.dirtyLaneCount.load(ordering: .relaxed) }
        #expect(count() == 0)
        #expect(receiver.tryNext() == nil)

        try first.send(1)
        try first.send(2)
        #expect(count() == 1)
        try third.send(3)
        #expect(count() == 2)
        // Takes the first lane's whole queue: that lane is clean, the other not.
        #expect(receiver.tryNext() == 1)
        #expect(count() == 1)
        try first.send(4)
        #expect(count() == 2)

        var received = [receiver.tryNext(), receiver.tryNext(), receiver.tryNext()]
        #expect(count() == 0)
        #expect(receiver.tryNext() == nil)
        received.sort { ($0 ?? 0) < ($1 ?? 0) }
        #expect(received == [2, 3, 4])

        // Dropping queued messages (the receiver goes away) cleans the count too.
        try second.send(5)
        try third.send(6)
        let shared = receiver.shared
        #expect(shared.dirtyLaneCount.load(ordering: .relaxed) == 2)
        shared.closeFromReceiver()
        #expect(shared.dirtyLaneCount.load(ordering: .relaxed) == 0)
        #expect(!shared.hasDirtyLane())
    }
}
