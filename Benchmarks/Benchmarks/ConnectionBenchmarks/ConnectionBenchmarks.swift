import Benchmark
import Logging
import NIOCore
import Protosocket
import ProtosocketClient
import ProtosocketServer
import Synchronization

// Raw connection echo over loopback: fixed 64-byte messages, 4 client
// connections, each keeping `pipelineDepth` messages in flight; the server echoes
// every message back. Client and server share this process and the machine's two
// cores. One iteration is `messagesPerIteration` echoed messages.

let connections = 4
let pipelineDepth = 256
let messagesPerIteration = 400_000

/// A 64-byte message held inline (no allocation per message).
struct Block: Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
}

struct BlockCodec: MessageEncoder, MessageDecoder, Sendable {
    mutating func encode(_ block: Block, into buffer: inout ByteBuffer) {
        let w = block.words
        buffer.writeMultipleIntegers(w.0, w.1, w.2, w.3, w.4, w.5, w.6, w.7)
    }

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<Block> {
        guard let w = buffer.getMultipleIntegers(at: buffer.readerIndex, as: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64).self) else {
            return .incomplete(totalSize: 64)
        }
        return .message(Block(words: w), consumed: 64)
    }
}

/// A small FIFO of blocks that reuses its storage.
struct BlockQueue {
    private var items: [Block] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func push(_ block: Block) { items.append(block) }

    mutating func pop() -> Block? {
        guard head < items.count else { return nil }
        let block = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return block
    }
}

/// Server side: echo each block through `pollOutbound`.
struct EchoFactory: ConnectionFactory {
    func makeCodec() -> BlockCodec { BlockCodec() }
    func makeReactor(_ context: ConnectionContext<Block>) -> EchoReactor { EchoReactor() }
}

struct EchoReactor: MessageReactor {
    typealias Command = Block
    var pending = BlockQueue()

    mutating func onInbound(_ block: Block) -> ReactorAction {
        pending.push(block)
        return .continue
    }

    mutating func pollOutbound(budget: Int) -> OutboundPoll<Block> {
        pending.pop().map { .produced($0) } ?? .idle
    }
}

/// Counts echoed messages across the client connections.
final class Progress: Sendable {
    let received = Atomic<Int>(0)
}

/// Client side: keep `pipelineDepth` blocks in flight, count the echoes.
struct PipelineFactory: ConnectionFactory {
    let progress: Progress
    func makeCodec() -> BlockCodec { BlockCodec() }
    func makeReactor(_ context: ConnectionContext<Block>) -> PipelineReactor {
        PipelineReactor(progress: progress)
    }
}

struct PipelineReactor: MessageReactor {
    typealias Command = Block
    let progress: Progress
    var inFlight = 0
    var sequence: UInt64 = 0

    mutating func onInbound(_ block: Block) -> ReactorAction {
        inFlight -= 1
        progress.received.add(1, ordering: .relaxed)
        return .continue
    }

    mutating func pollOutbound(budget: Int) -> OutboundPoll<Block> {
        guard inFlight < pipelineDepth else { return .idle }
        inFlight += 1
        sequence &+= 1
        return .produced(Block(words: (sequence, 0, 0, 0, 0, 0, 0, 0)))
    }
}

/// Echoes `count` messages through a fresh server and `connections` clients, measuring
/// only the steady state (after the pipelines are full).
func measureEcho(_ benchmark: Benchmark, count: Int, logger: Logger) async throws {
    let server = try await ConnectionServer.bind(
        configuration: ServerConfiguration(port: 0),
        factory: EchoFactory(),
        logger: logger
    )
    let port = server.localAddress?.port ?? 0
    let progress = Progress()
    var clients: [ClientConnection<Block>] = []
    for _ in 0..<connections {
        clients.append(try await TCPConnector(logger: logger).connect(host: "127.0.0.1", port: port, factory: PipelineFactory(progress: progress)))
    }
    // Let the pipelines fill, then measure a fixed number of echoes.
    while progress.received.load(ordering: .relaxed) < 10_000 {
        try await Task.sleep(for: .milliseconds(1))
    }
    benchmark.startMeasurement()
    let start = progress.received.load(ordering: .relaxed)
    while progress.received.load(ordering: .relaxed) < start + count {
        try await Task.sleep(for: .milliseconds(1))
    }
    benchmark.stopMeasurement()
    for client in clients {
        await client.close()
    }
    await server.close()
}

let benchmarks: @Sendable () -> Void = {
    var logger = Logger(label: "bench")
    logger.logLevel = .critical
    let quiet = logger
    Benchmark(
        "raw echo: 64-byte messages, \(connections) connections, \(pipelineDepth) in flight each, x \(messagesPerIteration)",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            maxDuration: .seconds(10),
            maxIterations: 20
        )
    ) { benchmark in
        try await measureEcho(benchmark, count: messagesPerIteration, logger: quiet)
    }

    // The allocation gate CI runs (`scripts/allocation-gate.sh`): few iterations,
    // mallocs only, checked against `Thresholds/`. One more allocation per message
    // adds at least `gateMessages` mallocs per iteration, far above the tolerance.
    Benchmark(
        "gate-raw-echo-mallocs-per-\(gateMessages)-echoes",
        configuration: .init(
            metrics: [.mallocCountTotal],
            maxDuration: .seconds(10),
            maxIterations: 5,
            thresholds: [.mallocCountTotal: .init(absolute: [.p90: gateTolerance])]
        )
    ) { benchmark in
        try await measureEcho(benchmark, count: gateMessages, logger: quiet)
    }
}

/// Echoes per iteration of the allocation gate.
let gateMessages = 100_000
/// Mallocs per iteration the gate tolerates above its committed threshold: a tenth
/// of an allocation per message, far above the run-to-run noise (per-turn buffers).
let gateTolerance = gateMessages / 10
