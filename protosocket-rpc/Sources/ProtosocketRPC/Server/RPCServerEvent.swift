/// What an RPC's task tells its connection's reactor; the outbound queue message
/// of an RPC server connection. Only the RPC layer makes these.
public struct RPCServerEvent<Response: RPCMessage>: Sendable {
    @usableFromInline
    enum Kind: Sendable {
        /// A deferred unary RPC finished with `response`.
        case completed(UInt64, Response)
        /// A deferred unary RPC threw.
        case failed(UInt64)
        /// A stream has responses (or its end) to send.
        case streamReady(UInt64)
    }

    @usableFromInline
    let kind: Kind

    @inlinable
    static func completed(_ id: UInt64, _ response: Response) -> Self { Self(kind: .completed(id, response)) }
    @inlinable
    static func failed(_ id: UInt64) -> Self { Self(kind: .failed(id)) }
    @inlinable
    static func streamReady(_ id: UInt64) -> Self { Self(kind: .streamReady(id)) }

    @inlinable
    init(kind: Kind) {
        self.kind = kind
    }
}
