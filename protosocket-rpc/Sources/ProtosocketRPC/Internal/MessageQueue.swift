/// A first-in, first-out queue that moves its elements in and out.
///
/// `Deque.append` copies its argument (a retain and a release per message, and
/// for protobuf messages a call through their value witnesses), which showed in
/// the streaming profile. This queue is two arrays: `append` moves onto the end
/// of `incoming`; `popFirst` moves off the end of `outgoing`, which holds the
/// older elements in reverse order, and refills it from `incoming` when it runs
/// dry (one reversal, done with moves, per refill). Every element is moved in
/// once, swapped once and moved out once.
@usableFromInline
struct MessageQueue<Element> {
    /// The newer elements, oldest first.
    @usableFromInline
    var incoming: [Element] = []
    /// The older elements, newest first: the next one out is the last.
    @usableFromInline
    var outgoing: [Element] = []

    @inlinable
    init() {}

    /// An empty queue for at most `bound` elements at a time. It reserves some
    /// room up front (up to 16), so that it skips the smallest growth steps;
    /// reserving the whole bound would cost too much memory when many queues
    /// (one per open stream) exist.
    @inlinable
    init(bound: Int) {
        let room = min(bound, 16)
        incoming.reserveCapacity(room)
        outgoing.reserveCapacity(room)
    }

    @inlinable
    var isEmpty: Bool {
        incoming.isEmpty && outgoing.isEmpty
    }

    @inlinable
    var count: Int {
        incoming.count + outgoing.count
    }

    @inlinable
    mutating func append(_ element: consuming Element) {
        incoming.append(element)
    }

    /// Removes and returns the oldest element, or `nil` when the queue is empty.
    @inlinable
    mutating func popFirst() -> Element? {
        if outgoing.isEmpty && incoming.isEmpty {
            // The common case of a poll: nothing queued, nothing to make unique.
            return nil
        }
        if let element = outgoing.popLast() {
            return element
        }
        if incoming.isEmpty {
            return nil
        }
        swap(&incoming, &outgoing)
        // Through the buffer pointer, whose swaps move the elements.
        outgoing.withUnsafeMutableBufferPointer { $0.reverse() }
        return outgoing.popLast()
    }

    /// Removes every element, keeping the storage.
    @inlinable
    mutating func removeAll() {
        incoming.removeAll(keepingCapacity: true)
        outgoing.removeAll(keepingCapacity: true)
    }
}

extension MessageQueue: Sendable where Element: Sendable {}
