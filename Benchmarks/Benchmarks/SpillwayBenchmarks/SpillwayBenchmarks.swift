import Benchmark
import BenchmarkSupport
import Spillway
import Synchronization

// Spillway against AsyncStream: 16 sender threads flood one consumer task
// (throughput), and one sender pings a parked consumer (wake-up latency).

let senderCount = 16
let messagesPerSender = 25_000
let pings = 2_000

/// A channel under test: synchronous, thread-safe sends into one async consumer.
protocol BenchChannel: SendableMetatype {
    associatedtype Producer: Sendable
    /// Makes the channel; returns one producer per sender and the consumer's loop,
    /// which returns how many messages it received.
    static func make(senders: Int) -> ([Producer], @Sendable (_ onMessage: @Sendable (Int) -> Void) async -> Int)
    static func send(_ value: Int, with producer: Producer)
}

enum SpillwayBench: BenchChannel {
    static func make(senders: Int) -> ([Sender<Int>], @Sendable (@Sendable (Int) -> Void) async -> Int) {
        let (sender, receiver) = SpillwayChannel.make(of: Int.self)
        let producers = (0..<senders).map { _ in sender.makeSender() }
        let box = ReceiverBox(receiver)
        return (producers, { onMessage in
            var count = 0
            for await value in box.take() {
                onMessage(value)
                count += 1
            }
            return count
        })
    }

    static func send(_ value: Int, with producer: Sender<Int>) {
        try? producer.send(value)
    }
}

/// Moves the receiver into the consumer task exactly once.
final class ReceiverBox: @unchecked Sendable {
    // Safe: `take` is called once, by the consumer task, after the box is made.
    private var receiver: Receiver<Int>?
    init(_ receiver: Receiver<Int>) { self.receiver = receiver }
    func take() -> Receiver<Int> {
        defer { receiver = nil }
        return receiver.unsafelyUnwrapped
    }
}

enum AsyncStreamChannel: BenchChannel {
    static func make(senders: Int) -> ([AsyncStream<Int>.Continuation], @Sendable (@Sendable (Int) -> Void) async -> Int) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let producers = [AsyncStream<Int>.Continuation](repeating: continuation, count: senders)
        return (producers, { onMessage in
            var count = 0
            for await value in stream {
                onMessage(value)
                count += 1
            }
            return count
        })
    }

    static func send(_ value: Int, with producer: AsyncStream<Int>.Continuation) {
        producer.yield(value)
    }
}

/// Ends an AsyncStream when its producers are done (Spillway ends when they are released).
func finish<Producer>(_ producers: [Producer]) {
    for case let continuation as AsyncStream<Int>.Continuation in producers {
        continuation.finish()
    }
}

func registerFlood<Channel: BenchChannel>(_ name: String, _: Channel.Type, gang: ThreadGang) {
    Benchmark(
        "\(name): \(senderCount) senders x \(messagesPerSender) messages",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 30)
    ) { benchmark in
        var (producers, consumeAll) = Channel.make(senders: senderCount)
        let consumer = Task { await consumeAll { blackHole($0) } }
        benchmark.startMeasurement()
        await gang.run { [producers] thread in
            let producer = producers[thread]
            for value in 0..<messagesPerSender {
                Channel.send(value, with: producer)
            }
        }
        finish(producers)
        producers.removeAll()
        let received = await consumer.value
        benchmark.stopMeasurement()
        precondition(received == senderCount * messagesPerSender)
    }
}

func registerPing<Channel: BenchChannel>(_ name: String, _: Channel.Type, gang: ThreadGang) {
    Benchmark(
        "\(name): ping a parked consumer x \(pings)",
        configuration: .init(metrics: [.wallClock], maxDuration: .seconds(3), maxIterations: 30)
    ) { benchmark in
        var (producers, consumeAll) = Channel.make(senders: 1)
        let acknowledged = Atomic<Int>(-1)
        let consumer = Task { await consumeAll { acknowledged.store($0, ordering: .releasing) } }
        benchmark.startMeasurement()
        await gang.run { [producers] _ in
            // Send, then wait for the consumer to see it before sending the next:
            // every message finds the consumer parked and must wake it.
            for value in 0..<pings {
                Channel.send(value, with: producers[0])
                while acknowledged.load(ordering: .acquiring) != value {}
            }
        }
        benchmark.stopMeasurement()
        finish(producers)
        producers.removeAll()
        _ = await consumer.value
    }
}

let benchmarks: @Sendable () -> Void = {
    let flooders = ThreadGang(count: senderCount)
    registerFlood("Spillway", SpillwayBench.self, gang: flooders)
    registerFlood("AsyncStream", AsyncStreamChannel.self, gang: flooders)
    let pinger = ThreadGang(count: 1)
    registerPing("Spillway", SpillwayBench.self, gang: pinger)
    registerPing("AsyncStream", AsyncStreamChannel.self, gang: pinger)
}
