import FuzzDriver
import NIOCore
import Protosocket

/// A decoder whose answers come from the input: it may consume too much, too
/// little, skip, announce any size, or give up. Framing must fail on every broken
/// answer and never trap.
struct ScriptedDecoder: MessageDecoder {
    var script: [UInt8]
    var position = 0

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<Int> {
        guard position + 3 <= script.count else {
            return .incomplete(totalSize: nil)
        }
        let kind = script[position]
        let amount = Int(Int16(bitPattern: UInt16(script[position + 1]) << 8 | UInt16(script[position + 2])))
        position += 3
        switch kind % 5 {
        case 0: return .message(amount, consumed: amount)
        case 1: return .incomplete(totalSize: amount)
        case 2: return .incomplete(totalSize: kind & 0x80 == 0 ? nil : .max)
        case 3: return .skip(amount)
        default: return .invalid(reason: "scripted")
        }
    }
}

func fuzzConnectionDecode(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else {
        return 0
    }
    let input = Array(UnsafeRawBufferPointer(start: data, count: count))
    guard input.count > 2 else {
        return 0
    }
    // The first byte splits the rest into a script and the bytes to deliver.
    let split = min(Int(input[0]) * 3, input.count - 1)
    let script = Array(input[1..<(1 + split)])
    let bytes = Array(input[(1 + split)...])
    // The connection's framing, as the connection runs it, without a channel.
    let maxBufferLength = 256
    var framing = Framing(maxMessageLength: maxBufferLength)
    var decoder = ScriptedDecoder(script: script)
    var buffer = ByteBuffer()
    // Deliver in reads of 1 to 16 bytes, as the bytes themselves say; a full
    // buffer stops reading, as the connection does.
    var index = 0
    reading: while index < bytes.count && buffer.readableBytes < maxBufferLength {
        let length = Int(bytes[index] % 16) + 1
        let end = min(index + length, bytes.count)
        buffer.writeBytes(bytes[index..<end])
        index = end
        framing: while true {
            let before = buffer.readableBytes
            switch framing.next(from: &buffer, decoder: &decoder) {
            case .message(let message):
                // A message consumed what the decoder said, after whatever a skip
                // before it in the same step discarded.
                precondition(message > 0 && message <= before - buffer.readableBytes, "consumed what the decoder said")
            case .needMore:
                break framing
            case .failed:
                // The connection closes: an allowed outcome.
                break reading
            }
        }
        Framing.compact(&buffer)
    }
    return 0
}
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzConnectionDecode(data, count)
}

runFuzzer { data, count in fuzzConnectionDecode(data, count) }
