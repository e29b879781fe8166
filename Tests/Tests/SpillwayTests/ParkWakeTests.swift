import Spillway
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Hands the receiver to the one task that consumes it.
// @unchecked Sendable: the receiver is used by that task only, after this test
// stops touching it.
private final class ReceiverBox: @unchecked Sendable {
    let receiver: Receiver<Int>
    init(_ receiver: Receiver<Int>) { self.receiver = receiver }
}

@Suite("Spillway park and wake")
struct ParkWakeTests {
    @Test("2,000 rounds of one message sent at a random moment around the receiver parking: none is lost")
    func noLostWakeUp() async throws {
        let (sender, receiver) = SpillwayChannel.make(of: Int.self)
        let rounds = 2_000
        // The sender thread: each round, wait a random 0–50 µs, then send, so the
        // send lands before, during or after the receiver parks.
        startThread {
            var random = SeededGenerator(seed: 17)
            for round in 0..<rounds {
                usleep(UInt32.random(in: 0...50, using: &random))
                try? sender.send(round)
            }
        }
        // The receiver is not Sendable: it moves into the guarded task, its one consumer.
        let box = ReceiverBox(receiver)
        let received = try await withHangGuard(seconds: 120) {
            var received: [Int] = []
            for _ in 0..<rounds {
                if let next = await box.receiver.next() {
                    received.append(next)
                }
            }
            return received
        }
        #expect(received == Array(0..<rounds))
    }
}
