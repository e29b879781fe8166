import Tracing

/// Where RPC spans go: a tracer and the name of its spans.
///
/// Servers start one span per RPC (kind `.server`) and run its handler — the
/// responder's ``RPCResponder/answer(_:)``, a deferred answer's operation, an
/// async stream — with the span's `ServiceContext`; clients start one per call
/// (kind `.client`) as a child of the calling task's `ServiceContext`. Attributes:
/// `rpc.system` (`protosocket`), `network.peer.address`, `rpc.protosocket.message_id`
/// (server), `rpc.protosocket.call_kind` (when the request declares it) and
/// `rpc.protosocket.outcome`: on servers `ok`, `cancelled` (by the client, or the
/// connection closed), `refused` (answered `cancel`), `failed` (a deferred answer
/// or async stream threw) or `shed`; on clients `ok`, `cancelled` (the caller
/// gave up), `cancelled_remotely`, `deadline_exceeded`, `connection_closed`, `not_sent`
/// or `failed`.
///
/// The default, ``bootstrapped``, is the tracer swift-distributed-tracing was
/// bootstrapped with when the server or client was made, or `nil` when none was:
/// then no span is made and an RPC costs nothing more. Bootstrap
/// `InstrumentationSystem` before making servers and clients.
public struct RPCTracing: Sendable {
    /// The tracer spans are started with.
    public var tracer: any Tracer
    /// The name of every span (the RPC layer does not know method names).
    public var spanName: String

    /// Spans from `tracer`, named `spanName`.
    public init(tracer: any Tracer, spanName: String = "protosocket.rpc") {
        self.tracer = tracer
        self.spanName = spanName
    }

    /// The bootstrapped tracer, or `nil` when swift-distributed-tracing has no
    /// tracer (its no-op one).
    public static var bootstrapped: RPCTracing? {
        let tracer = InstrumentationSystem.tracer
        if tracer is NoOpTracer {
            return nil
        }
        return RPCTracing(tracer: tracer)
    }
}
