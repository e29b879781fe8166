@testable import ProtosocketRPC
import Testing

/// The lifecycle of a server RPC task, transition by transition. Each runs in a
/// task of its own, whose registration the machine holds.
@Suite("RPCTaskState")
struct RPCTaskStateTests {
    @Test("a task cancelled before it starts runs cancelled, and nothing is left to cancel")
    func cancelBeforeStart() async {
        let (nothingToCancel, start, nothingAfter) = await Task { () -> (Bool, RPCTaskState.StartAction?, Bool) in
            var state = RPCTaskState()
            var nothingToCancel = false
            if case .none = state.cancel() {
                nothingToCancel = true
            }
            let start = withUnsafeCurrentTask { current in
                current.map { state.start(CurrentTask(task: $0)) }
            }
            var nothingAfter = false
            if case .none = state.cancel() {
                nothingAfter = true
            }
            return (nothingToCancel, start, nothingAfter)
        }.value
        #expect(nothingToCancel)
        #expect(start == .runCancelled)
        #expect(nothingAfter)
    }

    @Test("a running task is cancelled through its registration, once; after finish there is nothing to cancel")
    func cancelWhileRunning() async {
        let outcome = await Task { () -> [Bool] in
            var state = RPCTaskState()
            let start = withUnsafeCurrentTask { current in
                current.map { state.start(CurrentTask(task: $0)) }
            }
            var cancelledOnce = false
            if case .cancel(let running) = state.cancel() {
                running.task.cancel()
                cancelledOnce = true
            }
            var secondIsNone = false
            if case .none = state.cancel() {
                secondIsNone = true
            }
            let isCancelled = Task.isCancelled
            state.finish()
            var noneAfterFinish = false
            if case .none = state.cancel() {
                noneAfterFinish = true
            }
            return [start == .run, cancelledOnce, secondIsNone, isCancelled, noneAfterFinish]
        }.value
        #expect(outcome == [true, true, true, true, true])
    }
}
