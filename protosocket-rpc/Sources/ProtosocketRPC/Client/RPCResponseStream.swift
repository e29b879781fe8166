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
