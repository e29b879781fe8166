extension Receiver: AsyncSequence, AsyncIteratorProtocol {
    /// Receiving never fails: the sequence ends when every sender is gone.
    public typealias Failure = Never

    /// The receiver is its own iterator: there is one consumer.
    public func makeAsyncIterator() -> Receiver<Element> {
        self
    }

    /// The next message, waiting for one if needed.
    ///
    /// - Returns: The next message, or `nil` when the channel has ended (every sender
    ///   gone, everything received) or the calling task is cancelled.
    @inlinable
    public func next(isolation actor: isolated (any Actor)? = #isolation) async -> Element? {
        if let element = tryNext() {
            return element
        }
        return await nextAfterWaiting(isolation: actor)
    }

    @usableFromInline
    func nextAfterWaiting(isolation actor: isolated (any Actor)?) async -> Element? {
        while true {
            if let element = tryNext() {
                return element
            }
            if isFinished || Task.isCancelled {
                return nil
            }
            await waitForWork(isolation: actor)
        }
    }

    /// The next message, waiting for one if needed; see ``next(isolation:)``.
    @inlinable
    public func next() async -> Element? {
        await next(isolation: nil)
    }

    /// Suspends until a sender signals an edge, the last sender goes, or the task is
    /// cancelled. May return spuriously; the caller re-checks.
    private func waitForWork(isolation actor: isolated (any Actor)?) async {
        let shared = self.shared
        await withTaskCancellationHandler {
            await withUnsafeContinuation(isolation: actor) { continuation in
                shared.waker.park(continuation)
                // A sender may have made a lane dirty (or left) before we armed the
                // waker; it would not have seen us. Check again now that we are armed.
                if Task.isCancelled
                    || shared.hasDirtyLane()
                    || shared.senderCount.load(ordering: .sequentiallyConsistent) == 0
                {
                    shared.waker.resumeParked()
                }
            }
        } onCancel: {
            shared.waker.resumeParked()
        }
    }
}
