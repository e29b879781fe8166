import DequeModule
import Protosocket
import Spillway

/// The server side of an RPC connection, on its event loop; made by
/// ``RPCServerFactory``, not by users.
///
/// Requests that start an RPC go to the connection service. Its immediate answers
/// queue here and go out on the next turn, without a task; deferred answers and
/// streams run in tasks, which report through the connection's queue. Responses
/// are taken only while the connection has room to send; when immediate answers
/// pile up (the client does not read), inbound delivery pauses.
public struct RPCServerReactor<Service: RPCConnectionService>: MessageReactor {
    public typealias Request = Service.Request
    public typealias Response = Service.Response
    public typealias InboundMessage = Request
    public typealias WireMessage = Response
    public typealias OutboundMessage = RPCServerEvent<Response>

    @usableFromInline
    enum Running {
        case deferred(Task<Void, Never>)
        case stream(StreamSlot<Response>, Task<Void, Never>)

        @inlinable
        func cancel() {
            switch self {
            case .deferred(let task):
                task.cancel()
            case .stream(let slot, let task):
                slot.isRetired = true
                slot.cancel()
                task.cancel()
            }
        }
    }

    @usableFromInline
    var service: Service
    @usableFromInline
    let sender: Sender<RPCServerEvent<Response>>
    @usableFromInline
    let waker: ConnectionWaker
    @usableFromInline
    let limits: RPCServerLimits
    /// Answers ready to send, ids stamped.
    @usableFromInline
    var answers = MessageQueue<Response>()
    @usableFromInline
    var running: [UInt64: Running] = [:]
    /// Streams with responses to take, served round-robin a batch at a time.
    @usableFromInline
    var readyStreams: Deque<StreamSlot<Response>> = []
    @usableFromInline
    var isPausedForAnswers = false
    /// The server is shutting down: new RPCs are refused, and the connection ends
    /// once the running ones are answered.
    @usableFromInline
    var isDraining = false

    @inlinable
    init(service: Service, context: ConnectionContext<RPCServerEvent<Response>>, limits: RPCServerLimits) {
        self.service = service
        self.sender = context.sender
        self.waker = context.waker
        self.limits = limits
    }

    @inlinable
    public mutating func onInbound(_ request: Request) -> ReactorAction {
        let id = request.messageID
        switch request.controlCode {
        case .normal:
            start(request, id: id)
        case .cancel:
            if let rpc = running.removeValue(forKey: id) {
                rpc.cancel()
                answers.append(Response.cancelled(id: id))
            }
        case .end:
            // Clients do not stream requests; nothing to end.
            break
        }
        if answers.count >= limits.maxQueuedAnswers {
            isPausedForAnswers = true
            return .pause
        }
        return .continue
    }

    @inlinable
    mutating func start(_ request: Request, id: UInt64) {
        guard running[id] == nil else {
            // The client reused the id of a running RPC: ignore the duplicate.
            return
        }
        guard !isDraining else {
            answers.append(Response.cancelled(id: id))
            return
        }
        switch service.answer(request).kind {
        case .response(var response):
            response.messageID = id
            answers.append(response)
        case .cancelled:
            answers.append(Response.cancelled(id: id))
        case .deferred(let operation):
            let sender = self.sender
            running[id] = .deferred(Task {
                let event: RPCServerEvent<Response>
                do {
                    event = .completed(id, try await operation())
                } catch {
                    event = .failed(id)
                }
                try? sender.send(event)
            })
        case .stream(let body):
            let slot = StreamSlot(id: id, capacity: limits.streamBufferCapacity, sender: sender)
            running[id] = .stream(slot, Task {
                do {
                    try await body(slot)
                    slot.finish(succeeded: true)
                } catch {
                    slot.finish(succeeded: false)
                }
            })
        }
    }

    /// Every RPC is answered and every answer taken.
    @inlinable
    var isDone: Bool {
        running.isEmpty && answers.isEmpty
    }

    @inlinable
    public mutating func onDrain() -> ReactorAction {
        isDraining = true
        return isDone ? .disconnect : .continue
    }

    @inlinable
    public mutating func poll() -> ReactorAction {
        if isDraining && isDone {
            return .disconnect
        }
        if isPausedForAnswers {
            if answers.count >= limits.maxQueuedAnswers {
                return .pause
            }
            isPausedForAnswers = false
        }
        return .continue
    }

    @inlinable
    public mutating func onOutbound(_ event: RPCServerEvent<Response>) -> Response? {
        switch event.kind {
        case .completed(let id, var response):
            // Cancelled meanwhile: the client was already answered.
            guard running.removeValue(forKey: id) != nil else {
                return nil
            }
            response.messageID = id
            return response
        case .failed(let id):
            guard running.removeValue(forKey: id) != nil else {
                return nil
            }
            return Response.cancelled(id: id)
        case .streamReady(let id):
            if case .stream(let slot, _) = running[id] {
                readyStreams.append(slot)
            }
            return nil
        }
    }

    @inlinable
    public mutating func pollOutbound(budget: Int) -> OutboundPoll<Response> {
        if let answer = answers.popFirst() {
            if isPausedForAnswers && answers.count < limits.maxQueuedAnswers {
                // Be polled again, to resume delivery.
                waker.wake()
            }
            return .produced(answer)
        }
        // The first ready stream hands out the batch it took, then goes to the back.
        while let slot = readyStreams.first {
            if slot.isRetired {
                readyStreams.removeFirst()
                continue
            }
            switch slot.take() {
            case .response(var response):
                response.messageID = slot.id
                if slot.batch.isEmpty {
                    readyStreams.removeFirst()
                    readyStreams.append(slot)
                }
                return .produced(response)
            case .empty:
                readyStreams.removeFirst()
            case .finished(let succeeded):
                readyStreams.removeFirst()
                slot.isRetired = true
                running[slot.id] = nil
                return .produced(succeeded ? Response.ended(id: slot.id) : Response.cancelled(id: slot.id))
            }
        }
        if isDraining && isDone {
            // The last answer is out: be polled again, to disconnect.
            waker.wake()
        }
        return .idle
    }

    @inlinable
    public mutating func onClose(_ reason: CloseReason) {
        for rpc in running.values {
            rpc.cancel()
        }
        running = [:]
        readyStreams.removeAll()
    }
}
