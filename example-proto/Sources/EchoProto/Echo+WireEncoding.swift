import ProtosocketProto

// The server writes every response and the client every request: their fields
// are written here directly (about a quarter of the server's CPU per streamed
// response went to swift-protobuf's `traverse` calling the codec's writer field
// by field). Keep in step with echo.proto: the same fields, in field-number
// order, left out at their defaults, as the generated `traverse` does;
// `WireEncodingTests` compares the bytes with swift-protobuf's.

extension Echo_Response: ProtobufWireEncodable {
    public func encode(protobufWire writer: inout ProtobufWireWriter) throws {
        try writeEnvelope(requestID: requestID, code: code, into: &writer)
        switch kind {
        case .echo(let echo)?:
            try writer.writeMessage(field: 3) { try echo.encode(protobufWire: &$0) }
        case .stream(let stream)?:
            try writer.writeMessage(field: 4) { try stream.encode(protobufWire: &$0) }
        case nil:
            break
        }
        try writer.writeUnknownFields(unknownFields)
    }
}

extension Echo_Request: ProtobufWireEncodable {
    public func encode(protobufWire writer: inout ProtobufWireWriter) throws {
        try writeEnvelope(requestID: requestID, code: code, into: &writer)
        if hasBody {
            try writer.writeMessage(field: 3) { try body.encode(protobufWire: &$0) }
        }
        if responseBehavior != .unary {
            try writer.writeVarint(UInt64(bitPattern: Int64(responseBehavior.rawValue)), field: 4)
        }
        try writer.writeUnknownFields(unknownFields)
    }
}

extension Echo_EchoRequest: ProtobufWireEncodable {
    public func encode(protobufWire writer: inout ProtobufWireWriter) throws {
        try writeEcho(message: message, nanotime: nanotime, into: &writer)
        try writer.writeUnknownFields(unknownFields)
    }
}

extension Echo_EchoResponse: ProtobufWireEncodable {
    public func encode(protobufWire writer: inout ProtobufWireWriter) throws {
        try writeEcho(message: message, nanotime: nanotime, into: &writer)
        try writer.writeUnknownFields(unknownFields)
    }
}

extension Echo_EchoStream: ProtobufWireEncodable {
    public func encode(protobufWire writer: inout ProtobufWireWriter) throws {
        try writeEcho(message: message, nanotime: nanotime, into: &writer)
        if sequence != 0 {
            try writer.writeVarint(sequence, field: 3)
        }
        try writer.writeUnknownFields(unknownFields)
    }
}

/// Fields 1 and 2 of a request and a response: `request_id` and `code`.
private func writeEnvelope(requestID: UInt64, code: UInt32, into writer: inout ProtobufWireWriter) throws {
    if requestID != 0 {
        try writer.writeVarint(requestID, field: 1)
    }
    if code != 0 {
        try writer.writeVarint(UInt64(code), field: 2)
    }
}

/// Fields 1 and 2 of the echo bodies: `message` and `nanotime`.
private func writeEcho(message: String, nanotime: UInt64, into writer: inout ProtobufWireWriter) throws {
    if !message.isEmpty {
        try writer.writeString(message, field: 1)
    }
    if nanotime != 0 {
        try writer.writeVarint(nanotime, field: 2)
    }
}
