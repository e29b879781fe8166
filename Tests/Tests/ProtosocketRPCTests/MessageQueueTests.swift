@testable import ProtosocketRPC
import TestSupport
import Testing

@Suite("MessageQueue")
struct MessageQueueTests {
    @Test("hands elements out first in, first out, against an array, over random appends, takes and clears")
    func matchesReference() {
        var generator = SeededGenerator(seed: 11)
        var queue = MessageQueue<Int>(bound: 4)
        var reference: [Int] = []
        var next = 0
        for _ in 0..<20_000 {
            switch Int.random(in: 0..<100, using: &generator) {
            case 0..<55:
                queue.append(next)
                reference.append(next)
                next += 1
            case 55..<99:
                #expect(queue.popFirst() == (reference.isEmpty ? nil : reference.removeFirst()))
            default:
                queue.removeAll()
                reference.removeAll()
            }
            #expect(queue.count == reference.count)
            #expect(queue.isEmpty == reference.isEmpty)
        }
        while let element = queue.popFirst() {
            #expect(element == reference.removeFirst())
        }
        #expect(reference.isEmpty)
    }

    @Test("releases every element exactly once: taken, cleared, or dropped with the queue")
    func releasesElements() {
        let released = ReleaseCounter()
        do {
            var queue = MessageQueue<Tracked>()
            for _ in 0..<10 {
                queue.append(Tracked(released))
            }
            for _ in 0..<3 {
                _ = queue.popFirst()
            }
            #expect(released.count == 3)
            queue.removeAll()
            #expect(released.count == 10)
            for _ in 0..<5 {
                queue.append(Tracked(released))
            }
            _ = queue.popFirst()
            queue.append(Tracked(released))
            #expect(released.count == 11)
        }
        #expect(released.count == 16)
    }
}

private final class ReleaseCounter {
    var count = 0
}

private final class Tracked {
    let released: ReleaseCounter

    init(_ released: ReleaseCounter) {
        self.released = released
    }

    deinit {
        released.count += 1
    }
}
