import ProtosocketRPC
import SwiftProtobuf

/// An echo message as the RPC layer sees it: `request_id` is the RPC message id
/// and `code` the control code (DESIGN §8). Both `Echo_Request` and
/// `Echo_Response` carry them under the same names.
public protocol EchoEnvelope: RPCMessage, SwiftProtobuf.Message {
    var requestID: UInt64 { get set }
    var code: UInt32 { get set }
}

extension EchoEnvelope {
    public var messageID: UInt64 {
        get { requestID }
        set { requestID = newValue }
    }

    public var controlCode: RPCControlCode {
        RPCControlCode(wireValue: code)
    }

    public static func cancelled(id: UInt64) -> Self {
        control(.cancel, id: id)
    }

    public static func ended(id: UInt64) -> Self {
        control(.end, id: id)
    }

    private static func control(_ code: RPCControlCode, id: UInt64) -> Self {
        var message = Self()
        message.requestID = id
        message.code = code.rawValue
        return message
    }
}

extension Echo_Request: EchoEnvelope {}
extension Echo_Response: EchoEnvelope {}

extension Echo_Request {
    /// `response_behavior` says which kind of call a request starts.
    public var callKind: RPCCallKind? {
        responseBehavior == .stream ? .streaming : .unary
    }
}
