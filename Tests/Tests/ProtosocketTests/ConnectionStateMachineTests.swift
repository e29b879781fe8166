@testable import Protosocket
import Testing

/// The connection's lifecycle and flow, transition by transition.
@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine

    @Test("a new connection is open: it delivers, produces, and has not finished")
    func initial() {
        let machine = Machine()
        #expect(machine.isActive && machine.mayDeliver && machine.mayProduce)
        #expect(!machine.reactorFinished && !machine.isClosed)
    }

    @Test("reads: one requested at a time, none at the buffer limit, again after completion or activation")
    func reads() {
        var machine = Machine()
        #expect(machine.shouldRequestRead(buffered: 0, limit: 10) == true)
        #expect(machine.shouldRequestRead(buffered: 0, limit: 10) == false, "one read at a time")
        machine.readCompleted()
        #expect(machine.shouldRequestRead(buffered: 10, limit: 10) == false, "a full buffer stops reading")
        #expect(machine.shouldRequestRead(buffered: 9, limit: 10) == true)
        machine.channelActive()
        #expect(machine.shouldRequestRead(buffered: 0, limit: 10) == true, "activation forgets a dropped request")
    }

    @Test("pause from delivery or poll stops delivery; a later continue resumes it, once")
    func pauseAndResume() {
        var machine = Machine()
        #expect(machine.delivered(.continue) == .proceed)
        #expect(machine.delivered(.pause) == .stop)
        #expect(!machine.mayDeliver)
        #expect(machine.polled(.pause) == .proceed)
        #expect(!machine.mayDeliver)
        #expect(machine.polled(.continue) == .resumeDelivery)
        #expect(machine.mayDeliver)
        #expect(machine.polled(.continue) == .proceed, "not paused: nothing to resume")
    }

    @Test("disconnect from delivery or poll asks to close")
    func disconnect() {
        var machine = Machine()
        #expect(machine.delivered(.disconnect) == .close)
        #expect(machine.polled(.disconnect) == .close)
    }

    @Test("finishing needs both: the reactor finished and every sender gone; then nothing is produced, inbound still flows")
    func finishing() {
        var machine = Machine()
        #expect(machine.allSendersGone() == false, "the reactor has not finished")
        machine.reactorDidFinish()
        #expect(machine.reactorFinished)
        #expect(machine.allSendersGone() == true)
        #expect(!machine.mayProduce)
        #expect(machine.isActive && machine.mayDeliver)
        #expect(machine.allSendersGone() == false, "it starts finishing once")
    }

    @Test("close: the first reason wins, the channel closing reports it once, then nothing moves")
    func closeOnce() {
        var machine = Machine()
        #expect(machine.close(.reactorDisconnected) == true)
        #expect(machine.close(.peerClosed) == false, "a second close changes nothing")
        #expect(!machine.isActive && !machine.mayDeliver && !machine.mayProduce)
        #expect(machine.shouldRequestRead(buffered: 0, limit: 10) == false, "no reads while closing")
        guard case .reactorDisconnected? = machine.channelClosed() else {
            Issue.record("the first reason is reported")
            return
        }
        #expect(machine.isClosed)
        #expect(machine.channelClosed() == nil, "reported once")
        #expect(machine.close(.finished) == false, "nothing after closed")
        #expect(machine.polled(.continue) == .proceed)
    }

    @Test("the channel closing on an open connection reports peerClosed")
    func peerCloses() {
        var machine = Machine()
        guard case .peerClosed? = machine.channelClosed() else {
            Issue.record("peerClosed")
            return
        }
    }

    @Test("a finishing connection closes with the reason it is given (finished once flushed)")
    func finishingCloses() {
        var machine = Machine()
        machine.reactorDidFinish()
        _ = machine.allSendersGone()
        #expect(machine.close(.finished) == true)
        guard case .finished? = machine.channelClosed() else {
            Issue.record("finished")
            return
        }
    }
}
