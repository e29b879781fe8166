import Spillway
import Testing
import TestSupport

@Suite("Spillway under load")
struct StressTests {
    struct Message: Sendable {
        var sender: Int
        var sequence: Int
    }

    @Test("16 sender threads x 100,000 messages: each received once, each sender's in order")
    func sixteenSenders() async throws {
        let senderCount = 16
        let perSender = 100_000
        var sender: Sender<Message>?
        let receiver: Receiver<Message>
        (sender, receiver) = SpillwayChannel.make(of: Message.self)

        let consumer = Task {
            var nextExpected = [Int](repeating: 0, count: senderCount)
            var outOfOrder = 0
            var received = 0
            for await message in receiver {
                if message.sequence != nextExpected[message.sender] {
                    outOfOrder += 1
                }
                nextExpected[message.sender] = message.sequence + 1
                received += 1
            }
            return (received, outOfOrder, nextExpected)
        }

        if let base = sender {
            await runOnThreads(senderCount) { index in
                let mine = base.makeSender()
                for sequence in 0..<perSender {
                    try? mine.send(Message(sender: index, sequence: sequence))
                }
            }
        }
        // The threads' senders are gone; release the first so the consumer sees the end.
        sender = nil

        let (received, outOfOrder, nextExpected) = await consumer.value
        #expect(received == senderCount * perSender)
        #expect(outOfOrder == 0)
        #expect(nextExpected == [Int](repeating: perSender, count: senderCount))
    }
}
