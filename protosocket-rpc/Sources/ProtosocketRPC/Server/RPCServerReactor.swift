import CoreMetrics
import DequeModule
import Protosocket
import Spillway

/// The server side of an RPC connection, on its event loop.
///
/// Requests that start an RPC go to the responder. Immediate answers queue here
/// and go out in the same turn. Connection-driven streams are pulled here, only
/// while the connection can write. Deferred answers and async streams run in the
/// server's tasks and report through the connection's queue. Streams with
/// responses to send are served round-robin, a slice at a time.
///
/// Reading pauses while immediate answers pile up (the client does not read),
/// while the connection is at its running-RPC limit, and while a new RPC waits
/// for the server-wide limit (unless the limits say to shed).
@usableFromInline
struct RPCServerReactor<Responder: RPCResponder>: MessageReactor {
    @usableFromInline
    typealias Request = Responder.Request
    @usableFromInline
    typealias Response = Responder.Response
    @usableFromInline
    typealias InboundMessage = Request
    @usableFromInline
    typealias WireMessage = Response
    @usableFromInline
    typealias OutboundMessage = RPCServerEvent<Response>

    /// An RPC that outlives the request that started it.
    @usableFromInline
    enum RunningRPC {
        case deferred(RPCTask)
        /// Connection-driven: pulled here.
        case stream(any ResponseSource<Response>)
        case asyncStream(StreamSlot<Response>, RPCTask)
    }

    /// The stream handing out responses now, and how many more before it yields
    /// to the next ready stream.
    @usableFromInline
    struct Serving {
        @usableFromInline
        enum Source {
            case pulled(any ResponseSource<Response>)
            case fed(StreamSlot<Response>)
        }

        @usableFromInline
        let id: UInt64
        @usableFromInline
        let source: Source
        @usableFromInline
        var remaining: Int

        @inlinable
        init(id: UInt64, source: Source, remaining: Int) {
            self.id = id
            self.source = source
            self.remaining = remaining
        }
    }

    /// A running-kind answer that waits for the server-wide limit.
    @usableFromInline
    struct Parked {
        @usableFromInline
        let id: UInt64
        @usableFromInline
        let kind: RPCAnswer<Response>.Kind

        @inlinable
        init(id: UInt64, kind: RPCAnswer<Response>.Kind) {
            self.id = id
            self.kind = kind
        }
    }

    @usableFromInline
    var responder: Responder
    @usableFromInline
    let sender: Sender<RPCServerEvent<Response>>
    @usableFromInline
    let waker: ConnectionWaker
    @usableFromInline
    let server: RPCServerShared
    /// Answers ready to send, ids stamped.
    @usableFromInline
    var answers = MessageQueue<Response>()
    @usableFromInline
    var running: [UInt64: RunningRPC] = [:]
    /// Streams with responses to send, by id, in turn order (an id whose RPC ended
    /// meanwhile is skipped).
    @usableFromInline
    var ready: Deque<UInt64> = []
    @usableFromInline
    var serving: Serving?
    @usableFromInline
    var parked: Parked?
    /// The last action told the connection to deliver no more requests; whoever
    /// ends the reason must wake the connection so that ``poll()`` resumes it.
    @usableFromInline
    var isPaused = false
    /// The server is shutting down: new RPCs are refused, and the connection ends
    /// once the running ones are answered.
    @usableFromInline
    var isDraining = false

    @inlinable
    init(responder: Responder, context: ConnectionContext<RPCServerEvent<Response>>, server: RPCServerShared) {
        self.responder = responder
        self.sender = context.sender
        self.waker = context.waker
        self.server = server
    }

    @inlinable
    var limits: RPCServerLimits { server.limits }

    // MARK: Requests

    @inlinable
    mutating func onInbound(_ request: Request) -> ReactorAction {
        let id = request.messageID
        switch request.controlCode {
        case .normal:
            start(request, id: id)
        case .cancel:
            if let rpc = running.removeValue(forKey: id) {
                retire(rpc, id: id)
                answers.append(Response.cancelled(id: id))
            }
        case .end:
            // Clients do not stream requests; nothing to end.
            break
        }
        isPaused = shouldPause
        return isPaused ? .pause : .continue
    }

    @inlinable
    mutating func start(_ request: Request, id: UInt64) {
        guard running[id] == nil, parked?.id != id else {
            // The client reused the id of a running RPC: ignore the duplicate.
            return
        }
        guard !isDraining else {
            answers.append(Response.cancelled(id: id))
            return
        }
        switch responder.answer(request).kind {
        case .response(var response):
            response.messageID = id
            answers.append(response)
        case .cancelled:
            answers.append(Response.cancelled(id: id))
        case let kind:
            admit(kind, id: id)
        }
    }

    /// Starts an RPC that keeps running, within the limits.
    @inlinable
    mutating func admit(_ kind: RPCAnswer<Response>.Kind, id: UInt64) {
        guard running.count < limits.maxRunningRPCsPerConnection else {
            // Only with `.shed`: pausing stops requests before the limit is passed.
            shed(id)
            return
        }
        guard server.running.tryAcquire() else {
            switch limits.atLimit {
            case .shed:
                shed(id)
            case .pauseReading:
                parked = Parked(id: id, kind: kind)
                server.running.wakeOnRelease(waker)
            }
            return
        }
        launch(kind, id: id)
    }

    @inlinable
    mutating func shed(_ id: UInt64) {
        server.shed.increment()
        answers.append(Response.cancelled(id: id))
    }

    /// Starts an admitted RPC (counted in `server.running`).
    @inlinable
    mutating func launch(_ kind: RPCAnswer<Response>.Kind, id: UInt64) {
        switch kind {
        case .stream(let source):
            running[id] = .stream(source)
            ready.append(id)
        case .deferred(let operation):
            let sender = self.sender
            let task = RPCTask(id: id) { task in
                let event: RPCServerEvent<Response>
                do {
                    event = RPCServerEvent(.completed(task, try await operation()))
                } catch {
                    event = RPCServerEvent(.failed(task))
                }
                // Fails only when the connection has closed: nobody to tell.
                try? sender.send(event)
            }
            running[id] = .deferred(task)
            submit(task, id: id)
        case .asyncStream(let body):
            let slot = StreamSlot(id: id, capacity: limits.streamBufferCapacity, sender: sender)
            let task = RPCTask(id: id) { _ in
                do {
                    try await body(slot)
                    slot.finish(succeeded: true)
                } catch {
                    slot.finish(succeeded: false)
                }
            }
            running[id] = .asyncStream(slot, task)
            submit(task, id: id)
        case .response, .cancelled:
            // Answered by `start`; never admitted.
            server.running.release()
        }
    }

    @inlinable
    mutating func submit(_ task: RPCTask, id: UInt64) {
        if !server.tasks.submit(task) {
            // The server no longer runs tasks (its `run()` returned).
            running[id] = nil
            server.running.release()
            answers.append(Response.cancelled(id: id))
        }
    }

    /// Ends an RPC taken out of `running`: stops its work and frees its place.
    @inlinable
    mutating func retire(_ rpc: RunningRPC, id: UInt64) {
        switch rpc {
        case .deferred(let task):
            task.cancel()
        case .stream:
            break
        case .asyncStream(let slot, let task):
            slot.cancel()
            task.cancel()
        }
        if serving?.id == id {
            serving = nil
        }
        server.running.release()
        if isPaused {
            // Maybe below a limit now: be polled, to resume.
            waker.wake()
        }
    }

    @inlinable
    var shouldPause: Bool {
        parked != nil
            || answers.count >= limits.maxQueuedAnswers
            || (limits.atLimit == .pauseReading && running.count >= limits.maxRunningRPCsPerConnection)
    }

    // MARK: Turns

    /// Every RPC is answered and every answer taken.
    @inlinable
    var isDone: Bool {
        running.isEmpty && answers.isEmpty && parked == nil
    }

    @inlinable
    mutating func onDrain() -> ReactorAction {
        isDraining = true
        if let parked {
            self.parked = nil
            answers.append(Response.cancelled(id: parked.id))
        }
        return isDone ? .disconnect : .continue
    }

    @inlinable
    mutating func poll() -> ReactorAction {
        if isDraining && isDone {
            return .disconnect
        }
        if let waiting = parked {
            if server.running.tryAcquire() {
                parked = nil
                launch(waiting.kind, id: waiting.id)
            } else {
                server.running.wakeOnRelease(waker)
                if server.running.tryAcquire() {
                    parked = nil
                    launch(waiting.kind, id: waiting.id)
                }
            }
        }
        isPaused = shouldPause
        return isPaused ? .pause : .continue
    }

    @inlinable
    mutating func onOutbound(_ event: RPCServerEvent<Response>) -> Response? {
        switch event.kind {
        case .completed(let task, var response):
            guard takeDeferred(task) else {
                // Cancelled meanwhile: the client was already answered.
                return nil
            }
            response.messageID = task.id
            return response
        case .failed(let task):
            guard takeDeferred(task) else {
                return nil
            }
            return Response.cancelled(id: task.id)
        case .streamReady(let slot):
            if case .asyncStream(let running, _) = running[slot.id], running === slot {
                ready.append(slot.id)
            }
            return nil
        }
    }

    /// Takes `task`'s RPC out of `running` if it is still that task's.
    @inlinable
    mutating func takeDeferred(_ task: RPCTask) -> Bool {
        guard case .deferred(let current) = running[task.id], current === task else {
            return false
        }
        running[task.id] = nil
        server.running.release()
        if isPaused {
            waker.wake()
        }
        return true
    }

    @inlinable
    mutating func pollOutbound(budget: Int) -> OutboundPoll<Response> {
        if let answer = answers.popFirst() {
            if isPaused && answers.count < limits.maxQueuedAnswers {
                // Be polled again, to resume delivery.
                waker.wake()
            }
            return .produced(answer)
        }
        while true {
            guard var current = serving ?? nextServing() else {
                break
            }
            switch current.source {
            case .pulled(let source):
                guard var response = source.next() else {
                    serving = nil
                    end(current.id)
                    return .produced(Response.ended(id: current.id))
                }
                response.messageID = current.id
                current.remaining -= 1
                if current.remaining > 0 {
                    serving = current
                } else {
                    serving = nil
                    ready.append(current.id)
                }
                return .produced(response)
            case .fed(let slot):
                switch slot.take() {
                case .response(var response):
                    response.messageID = current.id
                    if slot.hasBatch {
                        serving = current
                    } else {
                        // Its batch is out: the next take may find more, after the others.
                        serving = nil
                        ready.append(current.id)
                    }
                    return .produced(response)
                case .empty:
                    // It announces itself again when it has more.
                    serving = nil
                case .finished(let succeeded):
                    serving = nil
                    end(current.id)
                    return .produced(succeeded ? Response.ended(id: current.id) : Response.cancelled(id: current.id))
                }
            }
        }
        if isDraining && isDone {
            // The last answer is out: be polled again, to disconnect.
            waker.wake()
        }
        return .idle
    }

    /// The next ready stream that is still running.
    @inlinable
    mutating func nextServing() -> Serving? {
        while let id = ready.popFirst() {
            switch running[id] {
            case .stream(let source):
                return Serving(id: id, source: .pulled(source), remaining: limits.streamBufferCapacity)
            case .asyncStream(let slot, _):
                return Serving(id: id, source: .fed(slot), remaining: limits.streamBufferCapacity)
            case .deferred, nil:
                continue
            }
        }
        return nil
    }

    /// A stream sent its last response: it is over.
    @inlinable
    mutating func end(_ id: UInt64) {
        running[id] = nil
        server.running.release()
        if isPaused {
            waker.wake()
        }
    }

    @inlinable
    mutating func onClose(_ reason: CloseReason) {
        // Nothing to resume: the connection is gone.
        isPaused = false
        let ended = running
        running = [:]
        for (id, rpc) in ended {
            retire(rpc, id: id)
        }
        parked = nil
        serving = nil
        ready.removeAll()
    }
}
