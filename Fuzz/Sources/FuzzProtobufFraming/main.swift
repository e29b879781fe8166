import FuzzDriver
import EchoProto
import NIOCore
import ProtosocketProto

/// Decodes every frame in the input, as the connection would: each result must
/// keep the decoder's contract, and nothing may trap.
func fuzzProtobufFraming(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else {
        return 0
    }
    var buffer = ByteBuffer(bytes: UnsafeRawBufferPointer(start: data, count: count))
    // A small limit, so that the fuzzer also reaches "too large" with short inputs.
    var codec = ProtobufCodec<Echo_Request, Echo_Response>(maximumMessageSize: 1024)
    while buffer.readableBytes > 0 {
        switch codec.decode(buffer) {
        case .message(_, let consumed):
            precondition(consumed > 0 && consumed <= buffer.readableBytes, "consumed \(consumed) of \(buffer.readableBytes)")
            buffer.moveReaderIndex(forwardBy: consumed)
        case .incomplete(let total):
            precondition(total.map { $0 > buffer.readableBytes } ?? true, "incomplete, but \(String(describing: total)) are buffered")
            return 0
        case .skip:
            preconditionFailure("the protobuf codec never skips")
        case .invalid:
            return 0
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzProtobufFraming(data, count)
}

runFuzzer { data, count in fuzzProtobufFraming(data, count) }
