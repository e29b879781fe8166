import NIOCore
import ProtosocketProto
import Testing

@Suite("Varint length prefixes")
struct VarintTests {
    /// Values at the edges of each byte count, with their encodings worked out by
    /// hand: seven bits per byte, least significant first, high bit = "more".
    static let vectors: [(value: UInt64, bytes: [UInt8])] = [
        (0, [0x00]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (16_383, [0xFF, 0x7F]),
        (16_384, [0x80, 0x80, 0x01]),
        (1 << 63, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
    ]

    @Test("sizes and bytes at 0, 127, 128, 16383, 16384 and 2^63", arguments: 0..<vectors.count)
    func edges(_ index: Int) {
        let (value, bytes) = Self.vectors[index]
        #expect(Varint.encodedLength(of: value) == bytes.count)
        var buffer = ByteBuffer()
        Varint.write(value, into: &buffer)
        #expect(Array(buffer.readableBytesView) == bytes)
        #expect(Varint.read(from: buffer) == .value(value, length: bytes.count))
    }

    @Test("UInt64.max takes 10 bytes and reads back")
    func maximum() {
        var buffer = ByteBuffer()
        Varint.write(.max, into: &buffer)
        #expect(buffer.readableBytes == 10)
        #expect(Varint.read(from: buffer) == .value(.max, length: 10))
    }

    @Test("an 11-byte varint, or a 10th byte past 64 bits, is invalid; a cut one is incomplete")
    func malformed() {
        let eleven = ByteBuffer(bytes: [UInt8](repeating: 0x80, count: 10) + [0x01])
        #expect(Varint.read(from: eleven) == .invalid)
        let overflowing = ByteBuffer(bytes: [UInt8](repeating: 0xFF, count: 9) + [0x02])
        #expect(Varint.read(from: overflowing) == .invalid)
        #expect(Varint.read(from: ByteBuffer(bytes: [0x80, 0x80])) == .incomplete)
        #expect(Varint.read(from: ByteBuffer()) == .incomplete)
    }
}
