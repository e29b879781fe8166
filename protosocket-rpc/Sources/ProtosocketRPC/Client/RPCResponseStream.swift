import NIOCore
import Synchronization
import Tracing

/// The responses of a streaming call, in the order the server sent them; it
/// finishes when the server sends `end`.
///
/// Iterate it once, from one task: a second iterator throws
/// ``RPCError/alreadyIterated`` from its first `next()`. Iteration throws ``RPCError/cancelledRemotely``
/// when the server cancels the call, ``RPCError/connectionClosed`` when the
/// connection dies, and `CancellationError` when the iterating task is cancelled
/// (the server is then told to stop). Dropping the stream before its end also
/// cancels the call on the server; ``cancel()`` does it explicitly, and
/// ``RPCClient/withStreaming(_:isolation:_:)`` does it when its body returns.
public struct RPCResponseStream<Response: RPCMessage>: AsyncSequence, Sendable {
    /// Each response of the call.
    public typealias Element = Response
    /// The call fails with an ``RPCError`` (or `CancellationError`).
    public typealias Failure = any Error

    @usableFromInline
    let call: StreamCall<Response>

    @inlinable
    init(call: StreamCall<Response>) {
        self.call = call
    }

    /// Stops the call: the server is sent `cancel` for it (unless the stream has
    /// ended), buffered responses are dropped, and iteration ends (`next()` returns
    /// `nil`). Safe from any task, more than once.
    ///
    /// Leaving a `for try await` loop early does not cancel by itself: the call is
    /// cancelled when the stream is released, which in top-level code (a
    /// `main.swift`) is never, since its variables are globals. Use
    /// ``RPCClient/withStreaming(_:isolation:_:)``, which cancels on the way out, or
    /// call this.
    public func cancel() {
        call.cancel()
    }

    /// The iterator; a stream can be iterated once (a second iterator throws
    /// ``RPCError/alreadyIterated``).
    @inlinable
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(call: call, isFirst: call.claimIteration())
    }

    /// Reads the call's responses in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Each response of the call.
        public typealias Element = Response
        /// The call fails with an ``RPCError`` (or `CancellationError`).
        public typealias Failure = any Error

        @usableFromInline
        let call: StreamCall<Response>
        /// Responses taken from the call's buffer in one go, handed out one by one.
        @usableFromInline
        var batch: MessageQueue<Response>
        /// Not the stream's first iterator: it only throws.
        @usableFromInline
        var isSecond: Bool

        @inlinable
        init(call: StreamCall<Response>, isFirst: Bool) {
            self.call = call
            self.isSecond = !isFirst
            // It trades storage with the buffer's queue at each take.
            self.batch = MessageQueue(bound: isFirst ? call.buffer.limit : 0)
        }

        /// The next response, or `nil` after the server ended the stream.
        ///
        /// - Throws: ``RPCError`` when the call fails; `CancellationError` when the
        ///   task is cancelled (the server is sent `cancel`).
        @inlinable
        public mutating func next() async throws -> Response? {
            try await next(isolation: nil)
        }

        /// The next response, on the caller's isolation: `for try await` calls this,
        /// so taking a response that is already here costs no executor hop.
        @inlinable
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> Response? {
            if let response = batch.popFirst() {
                return response
            }
            if isSecond {
                throw RPCError.alreadyIterated
            }
            try await call.next(into: &batch)
            return batch.popFirst()
        }
    }
}

/// One streaming call: its buffer, and telling the server when the caller gives up.
@usableFromInline
final class StreamCall<Response: RPCMessage>: Sendable {
    @usableFromInline
    let id: UInt64
    @usableFromInline
    let buffer: ResponseBuffer<Response>
    @usableFromInline
    let isOver = Atomic<Bool>(false)
    @usableFromInline
    let isIterated = Atomic<Bool>(false)
    /// The call's span when traced; ended once, by whoever sets `isOver`.
    @usableFromInline
    let span: (any Span)?

    @usableFromInline
    init(buffer: ResponseBuffer<Response>, span: (any Span)?) {
        self.id = buffer.id
        self.buffer = buffer
        self.span = span
    }

    @inlinable
    func endSpan(_ outcome: String) {
        if let span {
            span.attributes[RPCSpanAttribute.outcome] = outcome
            span.end()
        }
    }

    deinit {
        // Abandoned before the end: stop the server's work for it.
        cancel()
    }

    /// Gives up on the call unless it is over: drops what is buffered and tells
    /// the server to stop. Once, whoever calls it first.
    @usableFromInline
    func cancel() {
        if !isOver.exchange(true, ordering: .relaxed) {
            buffer.abandon()
            buffer.sendCancel(id)
            endSpan("cancelled")
        }
    }

    /// Whether this is the first iterator of the stream.
    @inlinable
    func claimIteration() -> Bool {
        !isIterated.exchange(true, ordering: .relaxed)
    }

    /// Fills `batch` (empty) with the next responses; leaves it empty at the end.
    @inlinable
    func next(into batch: inout MessageQueue<Response>) async throws {
        do {
            try await buffer.next(into: &batch)
            if batch.isEmpty {
                if !isOver.exchange(true, ordering: .relaxed) {
                    endSpan("ok")
                }
            }
        } catch {
            if !isOver.exchange(true, ordering: .relaxed) {
                if error is CancellationError || error as? RPCError == .deadlineExceeded {
                    // The caller gave up, or the connection expired the call: tell
                    // the server to stop.
                    buffer.sendCancel(id)
                }
                endSpan(rpcOutcome(of: error))
            }
            throw error
        }
    }
}
