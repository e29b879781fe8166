import Protosocket
import Spillway
import TestSupport

// The raw example of protosocket-server's README: a line echo server in about
// thirty lines. Each connection's reactor sends every line it receives back
// through the connection's own sender.

struct LineEchoFactory: ConnectionFactory {
    func makeCodec() -> LineCodec {
        LineCodec()
    }

    func makeReactor(_ context: ConnectionContext<String>) -> LineEchoReactor {
        LineEchoReactor(sender: context.sender)
    }
}

struct LineEchoReactor: MessageReactor {
    typealias Command = String

    let sender: Sender<String>

    mutating func onInbound(_ line: String) -> ReactorAction {
        do {
            try sender.send(line)
            return .continue
        } catch {
            return .disconnect
        }
    }
}
