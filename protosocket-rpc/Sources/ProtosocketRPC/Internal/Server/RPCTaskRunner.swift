import Spillway
import Synchronization

/// Starts the tasks of deferred answers and async streams in a task group owned by
/// ``RPCServer/run()``, so that the server's `run()` returns only after every one
/// of them has ended, and they inherit its task-local values (a `ServiceContext`).
///
/// Reactors submit from their event loops through a Spillway channel; how many
/// tasks exist is bounded by ``RPCServerLimits`` (running RPCs per connection, and
/// per server when set).
@usableFromInline
final class RPCTaskRunner: Sendable {
    enum Job: Sendable {
        case start(RPCTask)
        case stop
    }

    let sender: Sender<Job>
    private let receiver: Mutex<Receiver<Job>?>

    @usableFromInline
    init() {
        let (sender, receiver) = SpillwayChannel.make(of: Job.self)
        self.sender = sender
        self.receiver = Mutex(receiver)
    }

    /// Hands `task` to the group; `false` once the server has stopped running tasks.
    @usableFromInline
    func submit(_ task: RPCTask) -> Bool {
        do {
            try sender.send(.start(task))
            return true
        } catch {
            return false
        }
    }

    /// Ends ``run(alongside:)``'s loop after the jobs submitted before it.
    func stop() {
        try? sender.send(.stop)
    }

    /// Runs submitted tasks until ``stop()`` or cancellation, with `alongside` as
    /// one more child; returns when every child has ended. Later submissions fail.
    ///
    /// - Returns: `false` (and does nothing) when it already ran.
    func run(alongside: @escaping @Sendable () async -> Void) async -> Bool {
        guard let jobs = receiver.withLock({ $0.take() }) else {
            return false
        }
        await withDiscardingTaskGroup { group in
            group.addTask(operation: alongside)
            loop: for await job in jobs {
                switch job {
                case .start(let task):
                    group.addTask {
                        await task.run()
                    }
                case .stop:
                    break loop
                }
            }
            // Jobs still queued belong to connections that have closed (a stop
            // comes after every connection ended) and were cancelled: drop them.
            jobs.close()
        }
        return true
    }
}
