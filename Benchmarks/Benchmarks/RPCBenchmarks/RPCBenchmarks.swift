import Benchmark
import EchoProto
import Logging
import NIOCore
import Protosocket
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer
import Synchronization

// Allocations per unary RPC on the server, measured through a real loopback
// connection: an RPC server answers unary requests synchronously; a raw pipelined
// client (which allocates nothing per message) keeps `pipelineDepth` requests in
// flight on each of `connections` connections. The malloc count covers the whole
// process, so it is the server's (plus per-turn costs on both sides).

let connections = 4
let pipelineDepth = 256
let callsPerIteration = 200_000

// MARK: A codec that allocates nothing

/// A 20-byte RPC message held inline.
struct Fixed: RPCMessage {
    var messageID: UInt64
    var code: UInt32
    var value: UInt64

    var controlCode: RPCControlCode { RPCControlCode(wireValue: code) }
    static func cancelled(id: UInt64) -> Fixed { Fixed(messageID: id, code: 1, value: 0) }
    static func ended(id: UInt64) -> Fixed { Fixed(messageID: id, code: 2, value: 0) }
}

struct FixedCodec: MessageEncoder, MessageDecoder, Sendable {
    mutating func encode(_ message: Fixed, into buffer: inout ByteBuffer) {
        buffer.writeMultipleIntegers(message.messageID, message.code, message.value)
    }

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<Fixed> {
        guard let (id, code, value) = buffer.getMultipleIntegers(at: buffer.readerIndex, as: (UInt64, UInt32, UInt64).self) else {
            return .incomplete(totalSize: 20)
        }
        return .message(Fixed(messageID: id, code: code, value: value), consumed: 20)
    }
}

struct FixedService: RPCResponderFactory {
    func makeCodec() -> FixedCodec { FixedCodec() }
    func makeResponder(context: RPCConnectionContext) -> FixedConnection { FixedConnection() }
}

struct FixedConnection: RPCResponder {
    mutating func answer(_ request: Fixed) -> RPCAnswer<Fixed> {
        .response(Fixed(messageID: 0, code: 0, value: request.value &+ 1))
    }
}

// MARK: Protobuf requests, pre-encoded

/// Client side of the protobuf run: writes one pre-encoded request frame over and
/// over (zero-copy), and skips response frames by their length prefix without
/// parsing them, so that the client allocates nothing per message.
struct FrameCodec: MessageEncoder, MessageDecoder, Sendable {
    mutating func encode(_ frame: ByteBuffer, into buffer: inout ByteBuffer) {
        var frame = frame
        buffer.writeBuffer(&frame)
    }

    mutating func serializedBytes(of frame: ByteBuffer) -> ByteBuffer? { frame }

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<Void> {
        guard case .value(let length, let prefix) = Varint.read(from: buffer) else {
            return .incomplete(totalSize: nil)
        }
        let total = prefix + Int(length)
        return buffer.readableBytes >= total ? .message((), consumed: total) : .incomplete(totalSize: total)
    }
}

// MARK: The pipelined raw client

final class Progress: Sendable {
    let received = Atomic<Int>(0)
}

struct PipelineFactory<Codec: MessageCodec & Sendable>: ConnectionFactory where Codec.OutboundMessage: Sendable {
    let progress: Progress
    let codec: Codec
    let makeRequest: @Sendable (UInt64) -> Codec.OutboundMessage

    func makeCodec() -> Codec { codec }

    func makeReactor(_ context: ConnectionContext<Codec.OutboundMessage>) -> PipelineReactor<Codec.InboundMessage, Codec.OutboundMessage> {
        PipelineReactor(progress: progress, makeRequest: makeRequest)
    }
}

struct PipelineReactor<Inbound, Outbound: Sendable>: MessageReactor {
    typealias Command = Outbound
    let progress: Progress
    let makeRequest: @Sendable (UInt64) -> Outbound
    var inFlight = 0
    var sequence: UInt64 = 0

    mutating func onInbound(_ message: Inbound) -> ReactorAction {
        inFlight -= 1
        progress.received.add(1, ordering: .relaxed)
        return .continue
    }

    mutating func pollOutbound(budget: Int) -> OutboundPoll<Outbound> {
        guard inFlight < pipelineDepth else { return .idle }
        inFlight += 1
        sequence &+= 1
        return .produced(makeRequest(sequence))
    }
}

func measure<Service: RPCResponderFactory, Codec: MessageCodec & Sendable>(
    _ benchmark: Benchmark,
    service: Service,
    clientCodec: Codec,
    makeRequest: @escaping @Sendable (UInt64) -> Codec.OutboundMessage,
    count: Int = callsPerIteration,
    logger: Logger
) async throws where Codec.OutboundMessage: Sendable {
    let server = try await RPCServer.bind(configuration: ServerConfiguration(port: 0), responders: service, logger: logger)
    let port = server.localAddress?.port ?? 0
    let progress = Progress()
    let factory = PipelineFactory(progress: progress, codec: clientCodec, makeRequest: makeRequest)
    var clients: [ClientConnection<Codec.OutboundMessage>] = []
    for _ in 0..<connections {
        clients.append(try await TCPConnector(logger: logger).connect(host: "127.0.0.1", port: port, factory: factory))
    }
    // Let the pipelines fill, then measure a fixed number of calls.
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
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    Benchmark("rpc server, non-allocating codec: \(connections) connections x \(pipelineDepth) in flight, x \(callsPerIteration) unary", configuration: configuration) { benchmark in
        try await measure(benchmark, service: FixedService(), clientCodec: FixedCodec(), makeRequest: { id in
            Fixed(messageID: id, code: 0, value: id)
        }, logger: quiet)
    }

    Benchmark("rpc server, protobuf echo: \(connections) connections x \(pipelineDepth) in flight, x \(callsPerIteration) unary", configuration: configuration) { benchmark in
        var frame = ByteBuffer()
        var encoder = ProtobufCodec<Echo_Response, Echo_Request>()
        try encoder.encode(.with { $0.requestID = 1; $0.body = .with { $0.message = "hello"; $0.nanotime = 1 } }, into: &frame)
        let request = frame
        try await measure(benchmark, service: EchoService(), clientCodec: FrameCodec(), makeRequest: { _ in request }, logger: quiet)
    }

    registerPoolRoutingBenchmarks(logger: quiet)

    // The allocation gate CI runs (`scripts/allocation-gate.sh`): few iterations,
    // mallocs only, checked against `Thresholds/`. One more allocation per call adds
    // at least `gateCalls` mallocs per iteration, far above the tolerance.
    Benchmark(
        "gate-rpc-protobuf-echo-mallocs-per-\(gateCalls)-unary-calls",
        configuration: .init(
            metrics: [.mallocCountTotal],
            maxDuration: .seconds(10),
            maxIterations: 5,
            thresholds: [.mallocCountTotal: .init(absolute: [.p90: gateTolerance])]
        )
    ) { benchmark in
        var frame = ByteBuffer()
        var encoder = ProtobufCodec<Echo_Response, Echo_Request>()
        try encoder.encode(.with { $0.requestID = 1; $0.body = .with { $0.message = "hello"; $0.nanotime = 1 } }, into: &frame)
        let request = frame
        try await measure(
            benchmark, service: EchoService(), clientCodec: FrameCodec(), makeRequest: { _ in request },
            count: gateCalls, logger: quiet
        )
    }
}

/// Calls per iteration of the allocation gate.
let gateCalls = 50_000
/// Mallocs per iteration the gate tolerates above its committed threshold: a tenth
/// of an allocation per call, far above the run-to-run noise (per-turn buffers).
let gateTolerance = gateCalls / 10
