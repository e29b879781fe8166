import ProtosocketProto
import Testing

/// Runs `body` on a reader of `bytes`.
func read<T>(_ bytes: [UInt8], _ body: (inout ProtobufWireReader) throws -> T) throws -> T {
    try bytes.withUnsafeBytes { raw in
        var reader = ProtobufWireReader(raw)
        return try body(&reader)
    }
}

/// Decodes every field of `bytes` as a varint field, in order.
func varints(_ bytes: [UInt8]) throws -> [UInt64] {
    try read(bytes) { reader in
        var values: [UInt64] = []
        while let field = try reader.nextField() {
            values.append(try reader.readVarint(field))
        }
        return values
    }
}

/// The error `body` throws on a reader of `bytes`, if it is a wire error.
func wireError(_ bytes: [UInt8], _ body: (inout ProtobufWireReader) throws -> Void) -> ProtobufWireError? {
    do {
        try read(bytes, body)
        return nil
    } catch {
        return error as? ProtobufWireError
    }
}

/// Reads every field: varints and strings by wire type, skipping the rest.
func drain(_ reader: inout ProtobufWireReader) throws {
    while let field = try reader.nextField() {
        switch field.wireType {
        case 0: _ = try reader.readVarint(field)
        case 2: _ = try reader.readString(field)
        default: try reader.skip(field)
        }
    }
}

@Suite("Protobuf wire reader")
struct WireReaderTests {
    @Test("varints of 1 to 10 bytes read back as field 1 values; an empty message has no field")
    func varintEdges() throws {
        for (value, bytes) in VarintTests.vectors + [(UInt64.max, [UInt8](repeating: 0xFF, count: 9) + [0x01])] {
            #expect(try varints([0x08] + bytes) == [value])
        }
        #expect(try varints([]) == [])
    }

    @Test("an over-long or over-wide varint is malformed; a cut one is truncated")
    func malformedVarints() {
        #expect(wireError([0x08] + [UInt8](repeating: 0x80, count: 10) + [0x01]) { try drain(&$0) } == .malformedVarint)
        #expect(wireError([0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x02]) { try drain(&$0) } == .malformedVarint)
        #expect(wireError([0x08, 0x80]) { try drain(&$0) } == .truncated)
        #expect(wireError([0x80]) { try drain(&$0) } == .truncated)
    }

    @Test("field number 0, groups and wire types 6 and 7 are refused; a known field with another wire type is refused")
    func refusedKeys() {
        #expect(wireError([0x00, 0x01]) { try drain(&$0) } == .invalidFieldNumber)
        #expect(wireError([0x0B]) { try drain(&$0) } == .unsupportedWireType(3))
        #expect(wireError([0x0C]) { try drain(&$0) } == .unsupportedWireType(4))
        #expect(wireError([0x0E]) { try drain(&$0) } == .unsupportedWireType(6))
        #expect(wireError([0x0F]) { try drain(&$0) } == .unsupportedWireType(7))
        // Field 1 as a length-delimited field read as a varint, and the reverse.
        #expect(wireError([0x0A, 0x00]) { reader in _ = try reader.nextField().map { try reader.readVarint($0) } } == .wrongWireType(field: 1))
        #expect(wireError([0x08, 0x00]) { reader in _ = try reader.nextField().map { try reader.readString($0) } } == .wrongWireType(field: 1))
    }

    @Test("fixed 64- and 32-bit and length-delimited fields are skipped whole; cut ones are truncated")
    func skipping() throws {
        let fixed64: [UInt8] = [0x09] + [UInt8](repeating: 0xEE, count: 8)
        let fixed32: [UInt8] = [0x0D] + [UInt8](repeating: 0xEE, count: 4)
        let delimited: [UInt8] = [0x0A, 0x03, 0xFF, 0xFF, 0xFF]
        let tail: [UInt8] = [0x10, 0x07]
        #expect(try read(fixed64 + fixed32 + delimited + tail) { reader -> [UInt64] in
            var seen: [UInt64] = []
            while let field = try reader.nextField() {
                if field.number == 2 {
                    seen.append(try reader.readVarint(field))
                } else {
                    try reader.skip(field)
                }
            }
            return seen
        } == [UInt64(7)])
        #expect(wireError(Array(fixed64.dropLast())) { try drain(&$0) } == .truncated)
        #expect(wireError(Array(fixed32.dropLast())) { try drain(&$0) } == .truncated)
        #expect(wireError([0x0A, 0x04, 0x61, 0x62, 0x63]) { try drain(&$0) } == .truncated)
    }

    @Test("strings: ASCII of every length around the 8-byte step, a non-ASCII character at each position, and invalid UTF-8 refused")
    func strings() throws {
        for length in 0...20 {
            let ascii = String(repeating: "a", count: length)
            for candidate in [ascii] + (0..<length).map({ ascii.prefix($0) + "é" + ascii.dropFirst($0 + 1) }) {
                let utf8 = Array(candidate.utf8)
                let decoded = try read([0x0A, UInt8(utf8.count)] + utf8) { reader in
                    try reader.nextField().map { try reader.readString($0) }
                }
                #expect(decoded == candidate)
            }
        }
        for invalid: [UInt8] in [[0xFF], [0x61, 0xC3], [0xE2, 0x82], [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x80]] {
            #expect(wireError([0x12, UInt8(invalid.count)] + invalid) { try drain(&$0) } == .invalidUTF8(field: 2))
        }
    }
}
