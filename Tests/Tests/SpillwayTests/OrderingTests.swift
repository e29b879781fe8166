import Spillway
import Testing

@Suite("Spillway ordering and batches")
struct OrderingTests {
    @Test("the original's ordering example: lanes are served round-robin, a batch at a time")
    func originalOrderingExample() throws {
        let (sender1, receiver) = SpillwayChannel.make(of: Int.self)
        try sender1.send(1)
        let sender2 = sender1.makeSender()
        try sender2.send(2)
        try sender1.send(3)
        try sender2.send(4)
        #expect(receiver.tryNext() == 1)
        try sender1.send(5)
        #expect(receiver.tryNext() == 3)
        #expect(receiver.tryNext() == 2)
        #expect(receiver.tryNext() == 4)
        let sender3 = sender1.makeSender()
        try sender3.send(6)
        #expect(receiver.tryNext() == 6)
        #expect(receiver.tryNext() == 5)
        #expect(receiver.tryNext() == nil)
    }

    @Test("a batch drain returns a whole lane in order, and only that lane")
    func drainTakesOneLane() throws {
        let (sender, receiver) = SpillwayChannel.make(of: String.self)
        let other = sender.makeSender()
        try sender.send(contentsOf: ["a", "b"])
        try other.send("x")
        try sender.send("c")

        var batch: [String] = []
        #expect(receiver.drain(into: &batch) == 3)
        #expect(batch == ["a", "b", "c"])
        batch.removeAll()
        #expect(receiver.drain(into: &batch) == 1)
        #expect(batch == ["x"])
        #expect(receiver.drain(into: &batch) == 0)
        #expect(batch == ["x"])
    }

    @Test("a drain with a maximum leaves the rest of the batch for later, in order")
    func drainRespectsMaximum() throws {
        let (sender, receiver) = SpillwayChannel.make(of: Int.self)
        try sender.send(contentsOf: 0..<5)
        var batch: [Int] = []
        #expect(receiver.drain(into: &batch, maximumCount: 2) == 2)
        #expect(receiver.tryNext() == 2)
        #expect(receiver.drain(into: &batch, maximumCount: 10) == 2)
        #expect(batch == [0, 1, 3, 4])
    }

    @Test("senders made one after another take the lanes in turn and wrap around")
    func lanesWrapAround() throws {
        let (first, receiver) = SpillwayChannel.make(of: Int.self, lanes: 2)
        let second = first.makeSender()
        let third = first.makeSender()  // back on the first lane
        try first.send(1)
        try second.send(2)
        try third.send(3)
        var batch: [Int] = []
        receiver.drain(into: &batch)
        #expect(batch == [1, 3])
        batch.removeAll()
        receiver.drain(into: &batch)
        #expect(batch == [2])
    }
}
