/// Why a send failed; the message comes back with the error.
public enum SendError<Value: Sendable>: Error {
    /// The channel holds its capacity of unreceived messages.
    case full(Value)
    /// The receiver is gone; nobody will ever read the message.
    case closed(Value)

    /// The message that was not sent.
    public var value: Value {
        switch self {
        case .full(let value), .closed(let value):
            return value
        }
    }
}

extension SendError: Equatable where Value: Equatable {}
