import ProtosocketClient
import Spillway
import Synchronization
import Tracing

/// What every copy of a client shares.
@usableFromInline
final class ClientCore<Request: RPCMessage, Response: RPCMessage>: Sendable {
    @usableFromInline
    let connection: ClientConnection<ClientCommand<Request, Response>>
    @usableFromInline
    let streamBufferLimit: Int
    /// One sender per Spillway lane, so that concurrent callers spread over the
    /// lanes; a call and its cancellation use the same one, so they stay in order.
    @usableFromInline
    let senders: [Sender<ClientCommand<Request, Response>>]
    @usableFromInline
    let lastID = Atomic<UInt64>(0)
    @usableFromInline
    let pendingCount: PendingCallCount

    @usableFromInline
    let tracing: RPCTracing?
    /// The server's address, for spans.
    @usableFromInline
    let peer: String

    init(
        connection: ClientConnection<ClientCommand<Request, Response>>,
        streamBufferLimit: Int,
        tracing: RPCTracing?,
        pendingCount: PendingCallCount
    ) {
        self.connection = connection
        self.pendingCount = pendingCount
        self.streamBufferLimit = streamBufferLimit
        self.tracing = tracing
        self.peer = tracing == nil ? "" : connection.remoteAddress.map { "\($0)" } ?? "unknown"
        let first = connection.sender
        senders = [first] + (1..<8).map { _ in first.makeSender() }
    }

    @inlinable
    func makeID() -> UInt64 {
        lastID.wrappingAdd(1, ordering: .relaxed).newValue
    }

    @inlinable
    func sender(for id: UInt64) -> Sender<ClientCommand<Request, Response>> {
        senders[Int(id % UInt64(senders.count))]
    }
}

extension ClientCore {
    /// A client span for a call of `kind`, a child of the calling task's context.
    @inlinable
    func startSpan(_ tracing: RPCTracing, kind: RPCCallKind) -> any Span {
        let span = tracing.tracer.startAnySpan(tracing.spanName, context: ServiceContext.current ?? .topLevel, ofKind: .client)
        span.attributes[RPCSpanAttribute.system] = "protosocket"
        span.attributes[RPCSpanAttribute.peer] = peer
        span.attributes[RPCSpanAttribute.callKind] = kind.description
        return span
    }

    @inlinable
    static func end(_ span: any Span, _ outcome: String) {
        span.attributes[RPCSpanAttribute.outcome] = outcome
        span.end()
    }
}

/// The outcome attribute of a call that failed with `error`.
@inlinable
func rpcOutcome(of error: any Error) -> String {
    switch error {
    case RPCError.deadlineExceeded: "deadline_exceeded"
    case RPCError.connectionClosed: "connection_closed"
    case RPCError.notSent: "not_sent"
    case RPCError.cancelledRemotely: "cancelled_remotely"
    case is CancellationError: "cancelled"
    default: "failed"
    }
}
