/// What an RPC's task tells its connection's reactor: the outbound queue message
/// of an RPC server connection. Each names the task or slot it comes from, so that
/// a late report for an RPC that ended (and whose id the client reused) is dropped.
@usableFromInline
struct RPCServerEvent<Response: RPCMessage>: Sendable {
    @usableFromInline
    enum Kind: Sendable {
        /// A deferred answer finished with `response`.
        case completed(RPCTask, Response)
        /// A deferred answer threw.
        case failed(RPCTask)
        /// An async stream has responses (or its end) to send.
        case streamReady(StreamSlot<Response>)
    }

    @usableFromInline
    let kind: Kind

    @inlinable
    init(_ kind: Kind) {
        self.kind = kind
    }
}
