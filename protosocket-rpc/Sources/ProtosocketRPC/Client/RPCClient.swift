import NIOCore
import Protosocket
import ProtosocketClient
import Spillway
import Synchronization
import Tracing

/// A client of one RPC connection: a cheap `Sendable` handle that any number of
/// tasks share.
///
/// ```swift
/// let client = try await RPCClient.connect(host: "127.0.0.1", port: 9000) {
///     ProtobufCodec<Echo_Response, Echo_Request>()
/// }
/// let response = try await client.unary(request)
/// for try await item in client.streaming(streamRequest) { … }
/// ```
///
/// Each request gets a fresh message id (whatever id it carried is replaced), so
/// callers cannot collide. Calls fail with ``RPCError/cancelledRemotely`` when the
/// server cancels them and with ``RPCError/connectionClosed`` when the connection
/// dies, all at once and none left waiting; a call whose request had not been
/// written yet fails with ``RPCError/notSent`` instead (the server never saw it).
/// Cancelling the calling task cancels the call on the server too and throws
/// `CancellationError`.
///
/// The connection stays open while any copy of the client (or a stream from it) is
/// alive, until ``close()``, or until the server or the network ends it.
public struct RPCClient<Request: RPCMessage, Response: RPCMessage>: Sendable {
    @usableFromInline
    let core: ClientCore<Request, Response>

    @usableFromInline
    init(
        connection: ClientConnection<ClientCommand<Request, Response>>,
        streamBufferLimit: Int,
        tracing: RPCTracing?,
        pendingCount: PendingCallCount
    ) {
        core = ClientCore(connection: connection, streamBufferLimit: streamBufferLimit, tracing: tracing, pendingCount: pendingCount)
    }

    /// The calls on this connection that have not finished (unary calls not yet
    /// answered, streams not yet ended), as the connection last counted them: a
    /// call counts from when its request is taken for writing until its answer
    /// or end arrives (or it fails). A load figure for choosing between
    /// connections; it may lag a call that was just made.
    @inlinable
    public var pendingCalls: Int {
        core.pendingCount.load()
    }

    /// ``pendingCalls``, or `nil` once the connection's reactor has seen it close:
    /// what the pool routes by (one atomic load).
    @inlinable
    var pendingCallsIfOpen: Int? {
        core.pendingCount.loadIfOpen()
    }

    /// Whether the connection is open; once `false`, every call fails with
    /// ``RPCError/notSent``.
    @inlinable
    public var isAlive: Bool {
        core.connection.isActive
    }

    /// Sends `request` and returns the server's response.
    ///
    /// - Throws: ``RPCError`` when the server cancels the call or the connection
    ///   closes; `CancellationError` when the calling task is cancelled.
    @inlinable
    public func unary(_ request: Request) async throws -> Response {
        try await unary(request, id: core.makeID(), deadline: nil)
    }

    @inlinable
    func unary(_ request: Request, id: UInt64, deadline: NIODeadline?) async throws -> Response {
        guard let tracing = core.tracing else {
            return try await untracedUnary(request, id: id, deadline: deadline)
        }
        let span = core.startSpan(tracing, kind: .unary)
        do {
            let response = try await ServiceContext.withValue(span.context) {
                try await untracedUnary(request, id: id, deadline: deadline)
            }
            ClientCore<Request, Response>.end(span, "ok")
            return response
        } catch {
            ClientCore<Request, Response>.end(span, rpcOutcome(of: error))
            throw error
        }
    }

    @inlinable
    func untracedUnary(_ request: Request, id: UInt64, deadline: NIODeadline?) async throws -> Response {
        try Task.checkCancellation()
        if let declared = request.callKind, declared != .unary {
            throw RPCError.callKindMismatch(requested: .unary, declared: declared)
        }
        var request = request
        request.messageID = id
        let sender = core.sender(for: id)
        do {
            return try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { continuation in
                    do {
                        try sender.send(.unary(request, continuation, deadline: deadline))
                    } catch {
                        continuation.resume(throwing: RPCError.notSent)
                    }
                }
            } onCancel: {
                try? sender.send(.cancel(id))
            }
        } catch RPCError.deadlineExceeded {
            // The connection expired the call: tell the server to stop its work.
            try? sender.send(.cancel(id))
            throw RPCError.deadlineExceeded
        }
    }

    /// Sends `request` and returns the server's response, or fails with
    /// ``RPCError/deadlineExceeded`` once `timeout` has passed (the server is then
    /// sent `cancel`, so its work stops). Cancelling the calling task still throws
    /// `CancellationError`. The wire format is unchanged: deadlines are the
    /// client's.
    @inlinable
    public func unary(_ request: Request, timeout: Duration) async throws -> Response {
        // The connection keeps the deadline: one timer for its earliest one, armed
        // on its event loop, rather than a timer per call.
        try await unary(request, id: core.makeID(), deadline: .now() + TimeAmount(timeout))
    }

    /// Sends `request` and returns its stream of responses, which finishes when the
    /// server ends it, or fails with ``RPCError/deadlineExceeded`` once `timeout`
    /// has passed before the end (the server is then sent `cancel`).
    @inlinable
    public func streaming(_ request: Request, timeout: Duration) -> RPCResponseStream<Response> {
        streaming(request, id: core.makeID(), deadline: .now() + TimeAmount(timeout))
    }

    /// Sends `request` and returns its stream of responses, which finishes when the
    /// server ends it. See ``RPCResponseStream`` for how it fails.
    @inlinable
    public func streaming(_ request: Request) -> RPCResponseStream<Response> {
        streaming(request, id: core.makeID(), deadline: nil)
    }

    @inlinable
    func streaming(_ request: Request, id: UInt64, deadline: NIODeadline?) -> RPCResponseStream<Response> {
        var request = request
        request.messageID = id
        let sender = core.sender(for: id)
        let buffer = ResponseBuffer<Response>(
            id: id,
            limit: core.streamBufferLimit,
            waker: core.connection.waker
        ) { id in
            try? sender.send(.cancel(id))
        }
        if let declared = request.callKind, declared != .streaming {
            buffer.finish(throwing: RPCError.callKindMismatch(requested: .streaming, declared: declared))
        } else {
            do {
                try sender.send(.stream(request, buffer, deadline: deadline))
            } catch {
                buffer.finish(throwing: RPCError.notSent)
            }
        }
        let span = core.tracing.map { core.startSpan($0, kind: .streaming) }
        return RPCResponseStream(call: StreamCall(buffer: buffer, span: span))
    }

    /// Sends `request` and runs `body` with its stream of responses; when `body`
    /// returns or throws before the stream has ended, the call is cancelled on the
    /// server. The way to leave a stream early that does not depend on when the
    /// stream is released (see ``RPCResponseStream/cancel()``).
    ///
    /// ```swift
    /// let firstTen = try await client.withStreaming(scan) { stream in
    ///     var items: [Item] = []
    ///     for try await item in stream {
    ///         items.append(item)
    ///         if items.count == 10 { break }
    ///     }
    ///     return items
    /// }
    /// ```
    public func withStreaming<Result>(
        _ request: Request,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RPCResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        let stream = streaming(request)
        defer { stream.cancel() }
        return try await body(stream)
    }

    /// Closes the connection; pending calls fail with ``RPCError/connectionClosed``.
    public func close() async {
        await core.connection.close()
    }

    /// Waits until the connection has closed.
    public func closed() async {
        await core.connection.closed()
    }
}
