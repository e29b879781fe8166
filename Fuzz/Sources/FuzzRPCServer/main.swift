import FuzzDriver
import Dispatch
import EchoProto
import Logging
import NIOCore
import NIOEmbedded
import ProtosocketProto
import ProtosocketRPC

/// Answers by the request's message: immediately, with cancel, with a task that
/// runs until cancelled, or with a short stream; so ids stay running, end, and
/// collide with later requests.
struct FuzzService: RPCResponderFactory {
    func makeCodec() -> ProtobufCodec<Echo_Request, Echo_Response> { ProtobufCodec(maximumMessageSize: 1024) }

    func makeResponder(context: RPCConnectionContext) -> FuzzConnectionService {
        FuzzConnectionService()
    }
}

struct FuzzConnectionService: RPCResponder {
    mutating func answer(_ request: Echo_Request) -> RPCAnswer<Echo_Response> {
        switch request.body.message.utf8.count % 4 {
        case 0:
            return .response(.with { $0.echo.message = request.body.message })
        case 1:
            return .cancelled
        case 2:
            return .deferred {
                try await Task.sleep(for: .seconds(3600))
                return Echo_Response()
            }
        default:
            // The example's own echo stream: one response per byte, then `end`.
            var streamed = request
            streamed.responseBehavior = .stream
            var echo = EchoResponder()
            return echo.answer(streamed)
        }
    }
}

/// Reads the input as requests of four bytes each: an id (small, so that ids
/// collide), a control code (0 to 3; 3 is not a code at all), whether it has a
/// body, and the message length (which picks the answer).
func requests(from input: [UInt8]) -> [Echo_Request] {
    stride(from: 0, to: input.count - 3, by: 4).map { index in
        var request = Echo_Request()
        request.requestID = UInt64(input[index] % 16)
        request.code = UInt32(input[index + 1] % 4)
        if input[index + 2] % 8 != 0 {
            request.body.message = String(repeating: "m", count: Int(input[index + 3] % 12))
        }
        return request
    }
}

func frames(_ requests: [Echo_Request]) throws -> ByteBuffer {
    var codec = ProtobufCodec<Echo_Response, Echo_Request>()
    var buffer = ByteBuffer()
    for request in requests {
        try codec.encode(request, into: &buffer)
    }
    return buffer
}

/// Every response names an id that some normal request used, and nothing traps.
func run(_ input: [UInt8]) async throws {
    let sent = requests(from: input)
    let normalIDs = Set(sent.filter { $0.code == 0 }.map(\.requestID))
    let channel = NIOAsyncTestingChannel()
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    let quiet = logger
    let server = RPCServer(responders: FuzzService())
    try await channel.testingEventLoop.executeInContext {
        try server.addConnection(to: channel, configuration: .server, logger: quiet)
    }
    try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
    var bytes = try frames(sent)
    // Deliver in two reads, split where the input's first byte says.
    let split = bytes.readableBytes == 0 ? 0 : Int(input.first ?? 0) % bytes.readableBytes
    if let first = bytes.readSlice(length: split), first.readableBytes > 0 {
        try await channel.writeInbound(first)
    }
    if bytes.readableBytes > 0 {
        try await channel.writeInbound(bytes)
    }
    await Task.yield()
    await channel.testingEventLoop.run()
    var codec = ProtobufCodec<Echo_Response, Echo_Request>()
    var written = ByteBuffer()
    while var buffer = try await channel.readOutbound(as: ByteBuffer.self) {
        written.writeBuffer(&buffer)
    }
    while case .message(let response, let consumed) = codec.decode(written) {
        precondition(normalIDs.contains(response.requestID), "a response for id \(response.requestID), never requested")
        written.moveReaderIndex(forwardBy: consumed)
    }
    _ = try? await channel.finish(acceptAlreadyClosed: true)
}

func fuzzRPCServer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else {
        return 0
    }
    let input = Array(UnsafeRawBufferPointer(start: data, count: count))
    let done = DispatchSemaphore(value: 0)
    Task {
        try? await run(input)
        done.signal()
    }
    done.wait()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzRPCServer(data, count)
}

runFuzzer { data, count in fuzzRPCServer(data, count) }
