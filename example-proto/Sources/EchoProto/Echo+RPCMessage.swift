import ProtosocketRPC

// `request_id` is the RPC message id and `code` the control code (DESIGN §8).

extension Echo_Request: RPCMessage {
    public var messageID: UInt64 {
        get { requestID }
        set { requestID = newValue }
    }

    public var controlCode: RPCControlCode {
        RPCControlCode(wireValue: code)
    }

    public static func cancelled(id: UInt64) -> Echo_Request {
        .with {
            $0.requestID = id
            $0.code = RPCControlCode.cancel.rawValue
        }
    }

    public static func ended(id: UInt64) -> Echo_Request {
        .with {
            $0.requestID = id
            $0.code = RPCControlCode.end.rawValue
        }
    }
}

extension Echo_Response: RPCMessage {
    public var messageID: UInt64 {
        get { requestID }
        set { requestID = newValue }
    }

    public var controlCode: RPCControlCode {
        RPCControlCode(wireValue: code)
    }

    public static func cancelled(id: UInt64) -> Echo_Response {
        .with {
            $0.requestID = id
            $0.code = RPCControlCode.cancel.rawValue
        }
    }

    public static func ended(id: UInt64) -> Echo_Response {
        .with {
            $0.requestID = id
            $0.code = RPCControlCode.end.rawValue
        }
    }
}
