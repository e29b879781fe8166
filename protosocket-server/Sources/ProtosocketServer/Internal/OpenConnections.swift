import NIOConcurrencyHelpers
import NIOCore
import Protosocket

/// The server's accepted connections that are still open.
@usableFromInline
final class OpenConnections: Sendable {
    private let channels = NIOLockedValueBox([ObjectIdentifier: any Channel]())

    @usableFromInline
    init() {}

    @usableFromInline
    func insert(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLockedValue { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = channels.withLockedValue { $0.removeValue(forKey: id) }
        }
    }

    @usableFromInline
    var count: Int {
        channels.withLockedValue { $0.count }
    }

    /// Waits until every connection has closed.
    func allClosed() async {
        let open = channels.withLockedValue { Array($0.values) }
        for channel in open {
            try? await channel.closeFuture.get()
        }
    }

    /// Asks every connection to finish its work in flight and close.
    func drainAll() {
        fireIntoAll(DrainConnectionEvent())
    }

    /// Closes every connection; their reactors see ``CloseReason/closedLocally``.
    func closeAll() {
        fireIntoAll(CloseConnectionEvent())
    }

    private func fireIntoAll(_ event: some Sendable) {
        let open = channels.withLockedValue { Array($0.values) }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(event)
        }
    }
}
