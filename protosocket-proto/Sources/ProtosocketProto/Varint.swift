import NIOCore

/// Protobuf's base-128 varint: seven bits per byte, least significant group first,
/// the high bit set on every byte but the last. At most 10 bytes for 64 bits.
public enum Varint {
    /// The most bytes a 64-bit varint takes.
    public static let maximumLength = 10

    /// How many bytes `value` takes as a varint (1 to 10).
    @inlinable
    public static func encodedLength(of value: UInt64) -> Int {
        // Significant bits, rounded up to groups of seven; zero still takes a byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// Appends `value` as a varint to `buffer`.
    @inlinable
    public static func write(_ value: UInt64, into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maximumLength) { write(value, to: $0) }
    }

    /// Writes `value` as a varint at the start of `destination`, which has room for
    /// at least ``encodedLength(of:)`` bytes; returns how many bytes it wrote.
    @inlinable
    public static func write(_ value: UInt64, to destination: UnsafeMutableRawBufferPointer) -> Int {
        var remaining = value
        var index = 0
        while remaining >= 0x80 {
            destination[index] = UInt8(truncatingIfNeeded: remaining) | 0x80
            remaining >>= 7
            index += 1
        }
        destination[index] = UInt8(truncatingIfNeeded: remaining)
        return index + 1
    }

    /// What ``read(from:)`` found at the start of a buffer's readable bytes.
    public enum ReadResult: Equatable, Sendable {
        /// A varint of `length` bytes with this value.
        case value(UInt64, length: Int)
        /// The bytes end before the varint does.
        case incomplete
        /// More than 10 bytes, or a 10th byte that overflows 64 bits.
        case invalid
    }

    /// Reads the varint at the start of `buffer`'s readable bytes without moving
    /// its reader index. Never traps, whatever the bytes.
    @inlinable
    public static func read(from buffer: ByteBuffer) -> ReadResult {
        buffer.withUnsafeReadableBytes { bytes in
            var value: UInt64 = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if index == maximumLength - 1 && byte > 1 {
                    // Bits beyond the 64th, or a continuation past the 10th byte.
                    return .invalid
                }
                value |= UInt64(byte & 0x7F) << UInt64(7 * index)
                index += 1
                if byte & 0x80 == 0 {
                    return .value(value, length: index)
                }
            }
            return .incomplete
        }
    }
}
