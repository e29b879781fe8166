import ProtosocketProto

// The server decodes every request: its fields are read here directly (about a
// quarter of the server's CPU per unary call went to swift-protobuf's generic
// decoder). Keep in step with echo.proto; `WireDecodingTests` compares both.

extension Echo_Request: ProtobufWireDecodable {
    public init(protobufWire reader: inout ProtobufWireReader) throws {
        // Read into locals and set once (mutating `self` field by field in a
        // throwing initializer copied the whole request per decode).
        var requestID: UInt64 = 0
        var code: UInt32 = 0
        var body: Echo_EchoRequest?
        var behavior = Echo_ResponseBehavior.unary
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                requestID = try reader.readVarint(field)
            case 2:
                code = UInt32(truncatingIfNeeded: try reader.readVarint(field))
            case 3:
                var nested = try reader.readMessage(field)
                var merged = body ?? Echo_EchoRequest()
                try merged.merge(protobufWire: &nested)
                body = merged
            case 4:
                let raw = Int(Int32(truncatingIfNeeded: try reader.readVarint(field)))
                behavior = Echo_ResponseBehavior(rawValue: raw) ?? .UNRECOGNIZED(raw)
            default:
                try reader.skip(field)
            }
        }
        self.init()
        self.requestID = requestID
        self.code = code
        if let body {
            self.body = body
        }
        self.responseBehavior = behavior
    }
}

extension Echo_EchoRequest: ProtobufWireDecodable {
    public init(protobufWire reader: inout ProtobufWireReader) throws {
        self.init()
        try merge(protobufWire: &reader)
    }

    /// Reads the fields `reader` holds over the ones already set (protobuf merges
    /// a message field that appears twice).
    mutating func merge(protobufWire reader: inout ProtobufWireReader) throws {
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                message = try reader.readString(field)
            case 2:
                nanotime = try reader.readVarint(field)
            default:
                try reader.skip(field)
            }
        }
    }
}
