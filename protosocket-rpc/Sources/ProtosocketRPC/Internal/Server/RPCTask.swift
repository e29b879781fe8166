import KLock

/// The task of one deferred answer or async stream: started by the server's task
/// group, cancelled by its connection's reactor (client `cancel`, connection
/// closed) from the event loop.
///
/// A task group gives no handle to cancel one child, so the child registers
/// itself while it runs and the reactor cancels it through that registration.
@usableFromInline
final class RPCTask: Sendable {
    /// The RPC's id on its connection.
    @usableFromInline
    let id: UInt64
    /// The work; it is given its own task object, to name itself in what it reports.
    @usableFromInline
    let operation: @Sendable (RPCTask) async -> Void
    let state = KLock(RPCTaskState())

    @inlinable
    init(id: UInt64, _ operation: @escaping @Sendable (RPCTask) async -> Void) {
        self.id = id
        self.operation = operation
    }

    /// Runs the operation in the calling task (a child of the server's group).
    func run() async {
        let started = withUnsafeCurrentTask { current -> Bool in
            guard let current else {
                return false
            }
            let action = state.withLock { $0.start(CurrentTask(task: current)) }
            switch action {
            case .run:
                break
            case .runCancelled:
                current.cancel()
            }
            return true
        }
        guard started else {
            return
        }
        await operation(self)
        state.withLock { $0.finish() }
    }

    /// Cancels the task: now if it runs, as soon as it starts otherwise.
    @usableFromInline
    func cancel() {
        // Under the lock: the registration is valid only until `finish()`, which
        // takes the same lock. Task cancellation runs the task's cancellation
        // handlers here (ours only resume continuations; none takes this lock).
        state.withLock { state in
            if case .cancel(let current) = state.cancel() {
                current.task.cancel()
            }
        }
    }
}

/// The running task of an ``RPCTask``.
// @unchecked Sendable: `UnsafeCurrentTask` is only used through `RPCTask.state`'s
// lock, between the task's registration and its `finish()`: while the task is
// alive and inside `RPCTask.run()`. Cancelling a task from another thread is safe.
@usableFromInline
struct CurrentTask: @unchecked Sendable {
    let task: UnsafeCurrentTask
}

/// The lifecycle of an ``RPCTask``: one method per event, each returning what to do.
@usableFromInline
struct RPCTaskState: Sendable {
    @usableFromInline
    enum State: Sendable {
        /// Made, not yet started by the server's group.
        case waiting
        /// Running in `task`.
        case running(CurrentTask)
        /// Cancelled (before or after it started); not finished.
        case cancelled
        /// The operation returned.
        case finished
    }

    enum StartAction: Equatable {
        case run
        /// It was cancelled before it started: cancel the task, then run (the
        /// operation sees the cancellation at once).
        case runCancelled
    }

    enum CancelAction {
        case cancel(CurrentTask)
        case none
    }

    @usableFromInline
    var state = State.waiting

    @usableFromInline
    init() {}

    mutating func start(_ task: CurrentTask) -> StartAction {
        switch state {
        case .waiting:
            state = .running(task)
            return .run
        case .cancelled, .running, .finished:
            // Started twice cannot happen (a task is submitted once); treat it as
            // cancelled rather than trust a second registration.
            state = .cancelled
            return .runCancelled
        }
    }

    mutating func cancel() -> CancelAction {
        switch state {
        case .waiting:
            state = .cancelled
            return .none
        case .running(let task):
            state = .cancelled
            return .cancel(task)
        case .cancelled, .finished:
            return .none
        }
    }

    mutating func finish() {
        state = .finished
    }
}
