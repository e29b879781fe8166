import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Protosocket
import Spillway
import ProtosocketClient
import ProtosocketServer
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

/// What the server-side reactors of a test saw, from any loop.
final class ServerObservations: Sendable {
    let closeReasons = NIOLockedValueBox<[String]>([])
    let produced = Synchronization.Atomic<Int>(0)
    let mostPerTurn = Synchronization.Atomic<Int>(0)

    func closed(_ reason: CloseReason) {
        closeReasons.withLockedValue { $0.append("\(reason)") }
    }
}

/// Echoes lines like the example, records how the connection ended, and, when
/// `flood` is set, produces 1 KiB lines for as long as the connection has room.
struct ObservedFactory: ConnectionFactory {
    let observations: ServerObservations
    var flood = false

    func makeCodec() -> LineCodec { LineCodec() }

    func makeReactor(_ context: ConnectionContext<String>) -> ObservedReactor {
        ObservedReactor(observations: observations, flood: flood, sender: context.sender)
    }
}

struct ObservedReactor: MessageReactor {
    typealias Command = String
    let observations: ServerObservations
    let flood: Bool
    let sender: Spillway.Sender<String>
    var producedThisTurn = 0
    static let line = String(repeating: "x", count: 1023)

    mutating func onInbound(_ line: String) -> ReactorAction {
        try? sender.send(line)
        return .continue
    }

    mutating func poll() -> ReactorAction {
        producedThisTurn = 0
        return .continue
    }

    mutating func pollOutbound(budget: Int) -> OutboundPoll<String> {
        guard flood else { return .idle }
        producedThisTurn += 1
        observations.produced.add(1, ordering: .relaxed)
        observations.mostPerTurn.max(producedThisTurn, ordering: .relaxed)
        return .produced(Self.line)
    }

    mutating func onClose(_ reason: CloseReason) {
        observations.closed(reason)
    }
}

@Suite("Server lifecycle and backpressure")
struct LifecycleTests {
    @Test("a peer's close reaches the server reactor's close callback")
    func peerCloseReachesReactor() async throws {
        let observations = ServerObservations()
        let server = try await ConnectionServer.bind(
            configuration: ServerConfiguration(port: 0),
            factory: ObservedFactory(observations: observations),
            logger: quietLogger
        )
        let client = try await LineClient.connect(to: server.localAddress)
        try client.connection.sender.send("hi")
        #expect(try await withHangGuard { await client.receive(1) } == ["hi"])
        await client.connection.close()
        let reported = await eventually { observations.closeReasons.withLockedValue { !$0.isEmpty } }
        #expect(reported)
        #expect(observations.closeReasons.withLockedValue { $0 } == ["\(CloseReason.peerClosed)"])
        await server.close()
    }

    @Test("graceful shutdown through a ServiceGroup ends run() and closes open connections after the grace period")
    func gracefulShutdown() async throws {
        let observations = ServerObservations()
        let server = try await ConnectionServer.bind(
            configuration: ServerConfiguration(port: 0, shutdownGracePeriod: .milliseconds(200)),
            factory: ObservedFactory(observations: observations),
            logger: quietLogger
        )
        let client = try await LineClient.connect(to: server.localAddress)
        try client.connection.sender.send("before shutdown")
        #expect(try await withHangGuard { await client.receive(1) } == ["before shutdown"])

        let group = ServiceGroup(services: [server], logger: quietLogger)
        let running = Task { try await group.run() }
        await group.triggerGracefulShutdown()
        try await withHangGuard { try await running.value }
        try await withHangGuard { await client.connection.closed() }
        #expect(!client.connection.isActive)
        #expect(observations.closeReasons.withLockedValue { $0 } == ["\(CloseReason.closedLocally)"])
        // The listener is closed too: a new connection is refused.
        await #expect(throws: (any Error).self) { _ = try await LineClient.connect(to: server.localAddress) }
    }

    @Test("TCP options set TCP_NODELAY and keepalive on a real socket")
    func tcpOptionsApply() async throws {
        let server = try await bindEchoServer()
        let port = try #require(server.localAddress?.port)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port)
            .get()
        try await channel.eventLoop.submit {
            try TCPOptions(noDelay: true, keepAlive: .seconds(30)).apply(to: channel)
        }.get()
        #expect(try await channel.getOption(ChannelOptions.socketOption(.so_keepalive)).get() != 0)
        #expect(try await channel.getOption(ChannelOptions.socketOption(.tcp_nodelay)).get() != 0)
        try await channel.eventLoop.submit {
            try TCPOptions(noDelay: false).apply(to: channel)
        }.get()
        #expect(try await channel.getOption(ChannelOptions.socketOption(.tcp_nodelay)).get() == 0)
        try await channel.close()
        await server.close()
    }

    @Test("a peer that does not read stops the producer; it resumes when the peer reads")
    func slowPeerStopsProducer() async throws {
        let observations = ServerObservations()
        let configuration = ServerConfiguration(
            port: 0,
            connection: ConnectionConfiguration(maxBufferLength: 1 << 20, maxQueuedOutboundMessages: 64)
        )
        let server = try await ConnectionServer.bind(
            configuration: configuration,
            factory: ObservedFactory(observations: observations, flood: true),
            logger: quietLogger
        )
        let port = try #require(server.localAddress?.port)
        // A raw client that never asks to read.
        let peer = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.autoRead, value: false)
            .connect(host: "127.0.0.1", port: port)
            .get()

        let stalledAt = try await withHangGuard { await waitUntilStable(observations) }
        // Only socket buffers and NIO's write buffer hold what was produced: far
        // below the 50 MB a runaway producer would reach here.
        #expect(stalledAt > 0)
        #expect(stalledAt < 50_000)
        #expect(observations.mostPerTurn.load(ordering: .relaxed) <= 64)

        try await peer.setOption(ChannelOptions.autoRead, value: true).get()
        peer.read()
        let resumed = await eventually { observations.produced.load(ordering: .relaxed) > stalledAt + 1_000 }
        #expect(resumed)
        try await peer.close()
        await server.close()
    }
}

/// Waits until `counter` stops changing across several consecutive samples.
private func waitUntilStable(_ observations: ServerObservations) async -> Int {
    var last = -1
    var unchanged = 0
    while unchanged < 5 {
        try? await Task.sleep(for: .milliseconds(50))
        let now = observations.produced.load(ordering: .relaxed)
        unchanged = now == last && now > 0 ? unchanged + 1 : 0
        last = now
    }
    return last
}
