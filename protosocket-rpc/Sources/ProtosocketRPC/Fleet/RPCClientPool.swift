import KLock
import Logging
import ProtosocketClient
import ServiceLifecycle

/// Connections to several servers, found by an ``EndpointResolver``: calls spread
/// over the endpoints that work, keys go to the same endpoint from every process,
/// and an endpoint that fails is left out for a while and tried again.
///
/// ```swift
/// let pool = RPCClientPool(resolver: DNSEndpoints(host: "kv.internal", port: 9000)) { endpoint in
///     try await RPCClient<KVRequestMessage, KVResponseMessage>.connect(to: endpoint) { LengthPrefixedCodec() }
/// }
/// async let running: Void = pool.run()     // or in a ServiceGroup
/// let value = try await pool.client(forKey: "user-42").unary(request)
/// ```
///
/// - `connectionsPerEndpoint` connections per endpoint (one by default), each
///   opened on first use; everyone who needs one while it connects waits for the
///   same connect.
/// - ``client()`` spreads calls by ``LoadBalancing``: by default, of two
///   connections drawn at random, the one with fewer calls pending (so a slow
///   server gets fewer), or the endpoints in turn; either way skipping those that
///   are backing off. ``client(forKey:)`` ranks the endpoints by
///   ``RendezvousHash`` for the key and takes the first that works: the same
///   endpoint from every process, and when an endpoint is removed (or backing
///   off) only its keys move.
/// - A failed connect, or a connection found dead, ejects its endpoint for the
///   ``ReconnectBackoff`` delay; the call goes on to the next endpoint. When the
///   delay has passed, the next call that picks the endpoint connects again.
/// - Calls are not retried: a call in flight on a connection that dies fails at
///   once with ``RPCError/connectionClosed`` (RPCs may not be idempotent). Calls
///   that were never written (``RPCError/notSent``) can be, by opting in:
///   ``unary(_:forKey:timeout:retryingUnsent:)``.
/// - ``run()`` resolves the endpoints and keeps them current; it owns every
///   connection, and closes them when it returns. Calls wait for the first
///   resolution (run the pool before or while calling it), or until their task is
///   cancelled.
public final class RPCClientPool<Request: RPCMessage, Response: RPCMessage>: Service, Sendable {
    @usableFromInline
    typealias Client = RPCClient<Request, Response>
    @usableFromInline
    typealias Attempt = Task<Client, any Error>
    @usableFromInline
    typealias Table = EndpointTable<Client, Attempt>

    // The routing path (`route`, `pick`, the table) is inlinable so that it is
    // specialized for the caller's message types: unspecialized, it cost about
    // twice the CPU per call (generic metadata and value-witness copies).
    @usableFromInline
    struct State: Sendable {
        @usableFromInline
        var table: Table
        /// Calls waiting for the first resolution, by ticket.
        @usableFromInline
        var tickets: [UInt64: Ticket] = [:]
        @usableFromInline
        var nextTicket: UInt64 = 0

        /// A call that waits for the first resolution.
        @usableFromInline
        enum Ticket: Sendable {
            /// About to wait.
            case announced
            /// Its task was cancelled before it began to wait.
            case cancelled
            case waiting(CheckedContinuation<Void, any Error>)
        }

        /// Takes every waiting call's continuation.
        @inlinable
        mutating func takeWaiters() -> [CheckedContinuation<Void, any Error>] {
            var waiters: [CheckedContinuation<Void, any Error>] = []
            for (ticket, state) in tickets {
                if case .waiting(let continuation) = state {
                    waiters.append(continuation)
                    tickets[ticket] = nil
                }
            }
            return waiters
        }
        @usableFromInline
        var phase = Phase.unresolved

        @usableFromInline
        enum Phase: Sendable {
            case unresolved
            case resolved
            case closed
        }

        @inlinable
        init(connectionsPerEndpoint: Int, balancing: LoadBalancing) {
            table = Table(connectionsPerEndpoint: connectionsPerEndpoint, balancing: balancing)
        }
    }

    @usableFromInline
    let state: KLock<State>
    @usableFromInline
    let resolver: any EndpointResolver
    @usableFromInline
    let backoff: ReconnectBackoff
    @usableFromInline
    let connect: @Sendable (Endpoint) async throws -> Client
    @usableFromInline
    let doorbell = Doorbell()
    @usableFromInline
    let logger: Logger

    /// - Parameters:
    ///   - resolver: Where the endpoints come from: ``StaticEndpoints``,
    ///     ``DNSEndpoints`` or your own.
    ///   - connectionsPerEndpoint: Connections to each endpoint (at least 1), each
    ///     opened on first use; calls and keys spread over them.
    ///   - balancing: How calls without a key are spread (keyed calls always go
    ///     by ``RendezvousHash``).
    ///   - backoff: How long a failed endpoint is left out.
    ///   - logger: Where resolution failures and ejections are logged.
    ///   - connect: Opens one connection to an endpoint.
    public init(
        resolver: some EndpointResolver,
        connectionsPerEndpoint: Int = 1,
        balancing: LoadBalancing = .powerOfTwoChoices,
        backoff: ReconnectBackoff = ReconnectBackoff(),
        logger: Logger = Logger(label: "protosocket.rpc.pool"),
        connect: @escaping @Sendable (Endpoint) async throws -> RPCClient<Request, Response>
    ) {
        self.state = KLock(State(connectionsPerEndpoint: connectionsPerEndpoint, balancing: balancing))
        self.resolver = resolver
        self.backoff = backoff
        self.logger = logger
        self.connect = connect
    }

    /// The endpoints of the last resolution.
    public var endpoints: [Endpoint] {
        state.withLock { $0.table.endpoints }
    }

    /// Resolves the endpoints, then again every refresh interval and after a
    /// failure, until cancelled or shut down gracefully; then closes every
    /// connection, and calls fail with ``RPCClientPoolError/closed``.
    public func run() async throws {
        await withGracefulShutdownHandler {
            repeat {
                await refresh()
                await doorbell.wait(upTo: resolver.refreshInterval)
            } while !Task.isCancelled && state.withLock({ $0.phase != .closed })
        } onGracefulShutdown: {
            self.close()
        }
        close()
        let open = state.withLock { $0.table.removeConnections() }
        for client in open {
            await client.close()
        }
    }

    /// Stops ``run()``.
    public func close() {
        let waiters = state.withLock { state in
            state.phase = .closed
            return state.takeWaiters()
        }
        for waiter in waiters {
            waiter.resume(throwing: RPCClientPoolError.closed)
        }
        doorbell.ring()
    }

    /// Where the pool sends a call: an endpoint and the connection to it.
    public struct Route: Sendable {
        /// The endpoint.
        public let endpoint: Endpoint
        /// The connection to it.
        public let client: RPCClient<Request, Response>

        @inlinable
        init(endpoint: Endpoint, client: RPCClient<Request, Response>) {
            self.endpoint = endpoint
            self.client = client
        }
    }

    /// A connection for a call without a key, chosen by the pool's
    /// ``LoadBalancing`` among the endpoints that work.
    ///
    /// - Throws: ``RPCClientPoolError`` when no endpoint can be reached now.
    @inlinable
    public func client() async throws -> RPCClient<Request, Response> {
        try await route().client
    }

    /// ``client()``, and the endpoint it goes to (to count calls per endpoint).
    @inlinable @inline(__always)
    public func route() async throws -> Route {
        try await pick(key: nil)
    }

    /// A connection to the endpoint `key` maps to (see ``RendezvousHash``), or, if
    /// that one cannot be reached now, to the next in the key's ranking.
    ///
    /// - Throws: ``RPCClientPoolError`` when no endpoint can be reached now.
    @inlinable
    public func client(forKey key: String) async throws -> RPCClient<Request, Response> {
        try await pick(key: Array(key.utf8)).client
    }

    /// ``client(forKey:)`` for a key given as bytes, and the endpoint it goes to.
    @inlinable
    public func route(forKeyBytes key: some Sequence<UInt8>) async throws -> Route {
        try await pick(key: Array(key))
    }

    /// Sends a unary call through the pool: to the endpoint `key` maps to, or, without
    /// a key, where the pool's ``LoadBalancing`` puts it.
    ///
    /// Calls are not retried by default: an RPC may not be idempotent. With
    /// `retryingUnsent`, a call that failed with ``RPCError/notSent`` (its
    /// connection closed before the request was written, so no server saw it) is
    /// sent again to another endpoint, at most once per endpoint.
    ///
    /// - Throws: ``RPCError`` as ``RPCClient/unary(_:)``; ``RPCClientPoolError``
    ///   when no endpoint can be reached.
    @inlinable
    public func unary(
        _ request: Request,
        forKey key: String? = nil,
        timeout: Duration? = nil,
        retryingUnsent: Bool = false
    ) async throws -> Response {
        let keyBytes = key.map { Array($0.utf8) }
        var tried = Set<Endpoint>()
        while true {
            let route = try await pick(key: keyBytes, excluding: tried)
            do {
                if let timeout {
                    return try await route.client.unary(request, timeout: timeout)
                }
                return try await route.client.unary(request)
            } catch RPCError.notSent where retryingUnsent {
                tried.insert(route.endpoint)
                if tried.count >= endpoints.count {
                    throw RPCError.notSent
                }
            }
        }
    }

    /// A route, without a suspension point when the pool can give one at once
    /// (resolved, and the chosen endpoint connected): calling an async function
    /// allocates its frame and checks the executor on return even when nothing
    /// waits; without those calls the pool made 13–16% more calls/s
    /// (Benchmarks/README.md). For the same reason it is always inlined, as is
    /// ``route()``, so that a route ready at once costs its caller no async call
    /// of its own: 3–4% more calls/s (13 of 15 alternating pairs ahead).
    @inlinable @inline(__always)
    func pick(key: [UInt8]?, excluding tried: Set<Endpoint> = []) async throws -> Route {
        let choice = state.withLock { state -> Table.Choice? in
            guard state.phase == .resolved else {
                return nil
            }
            return choose(in: &state.table, key: key, excluding: tried)
        }
        if case .use(let client, let endpoint)? = choice {
            return Route(endpoint: endpoint, client: client)
        }
        return try await pickWaiting(key: key, excluding: tried, firstChoice: choice)
    }

    /// The table's choice for a call with `key` (rendezvous) or without (the
    /// pool's balancing); called under the state's lock.
    @inlinable
    func choose(in table: inout Table, key: [UInt8]?, excluding excluded: Set<Endpoint>) -> Table.Choice {
        let connect = self.connect
        if let key {
            return table.choose(
                key: key, now: .now, excluded: excluded, load: { $0.pendingCallsIfOpen },
                backoff: backoff, random: { .random(in: 0..<1) }
            ) { endpoint in Task { try await connect(endpoint) } }
        }
        return table.choose(
            now: .now, excluded: excluded, load: { $0.pendingCallsIfOpen },
            backoff: backoff, random: { .random(in: 0..<1) }
        ) { endpoint in Task { try await connect(endpoint) } }
    }

    /// The rest of ``pick(key:excluding:)``: waits for the first resolution when
    /// there was no `firstChoice` (the table's answer already taken, which must
    /// not be asked for twice: asking moves the rotation and may start a connect),
    /// then follows the choices, awaiting connects and skipping endpoints that fail.
    @inlinable
    func pickWaiting(key: [UInt8]?, excluding tried: Set<Endpoint>, firstChoice: Table.Choice?) async throws -> Route {
        var pending = firstChoice
        if pending == nil {
            try await waitForResolution()
        }
        var excluded = tried
        var lastError: (any Error)?
        while true {
            let choice: Table.Choice
            if let first = pending {
                pending = nil
                choice = first
            } else {
                choice = try state.withLock { state -> Table.Choice in
                    guard state.phase != .closed else {
                        throw RPCClientPoolError.closed
                    }
                    return choose(in: &state.table, key: key, excluding: excluded)
                }
            }
            switch choice {
            case .use(let client, let endpoint):
                return Route(endpoint: endpoint, client: client)
            case .unavailable:
                throw RPCClientPoolError.noEndpointAvailable(lastError: lastError.map { "\($0)" })
            case .await(let attempt, let endpoint):
                do {
                    let client = try await attempt.value
                    let unwanted = state.withLock { $0.table.connected(endpoint, attempt: attempt, connection: client) }
                    if let unwanted {
                        await unwanted.close()
                        excluded.insert(endpoint)
                        continue
                    }
                    return Route(endpoint: endpoint, client: client)
                } catch {
                    state.withLock {
                        $0.table.connectFailed(endpoint, attempt: attempt, now: .now, backoff: backoff, random: { .random(in: 0..<1) })
                    }
                    logger.debug("endpoint ejected", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
                    if resolver.refreshInterval != nil {
                        doorbell.ring()
                    }
                    lastError = error
                    excluded.insert(endpoint)
                }
            }
        }
    }

    private func refresh() async {
        let endpoints: [Endpoint]
        do {
            endpoints = try await resolver.resolve()
        } catch {
            logger.warning("endpoint resolution failed; keeping the last list", metadata: ["error": "\(error)"])
            return
        }
        let (gone, waiters) = state.withLock { state in
            let gone = state.table.update(endpoints)
            guard state.phase == .unresolved else {
                return (gone, [CheckedContinuation<Void, any Error>]())
            }
            state.phase = .resolved
            return (gone, state.takeWaiters())
        }
        for waiter in waiters {
            waiter.resume()
        }
        for client in gone {
            await client.close()
        }
    }

    @inlinable
    func waitForResolution() async throws {
        if state.withLock({ $0.phase == .resolved }) {
            return
        }
        let ticket = state.withLock { state in
            state.nextTicket &+= 1
            state.tickets[state.nextTicket] = .announced
            return state.nextTicket
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if case .cancelled = state.tickets.removeValue(forKey: ticket) {
                        return .failure(CancellationError())
                    }
                    switch state.phase {
                    case .resolved:
                        return .success(())
                    case .closed:
                        return .failure(RPCClientPoolError.closed)
                    case .unresolved:
                        state.tickets[ticket] = .waiting(continuation)
                        return nil
                    }
                }
                if let outcome {
                    continuation.resume(with: outcome)
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                switch state.tickets[ticket] {
                case .waiting(let continuation):
                    state.tickets[ticket] = nil
                    return continuation
                case .announced:
                    state.tickets[ticket] = .cancelled
                    return nil
                case .cancelled, nil:
                    return nil
                }
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

/// Why an ``RPCClientPool`` could not give a connection.
public enum RPCClientPoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every endpoint is backing off or failed to connect just now (or there are
    /// none); `lastError` describes the last connect failure, if any.
    case noEndpointAvailable(lastError: String?)
    /// The pool's ``RPCClientPool/run()`` has ended.
    case closed

    /// Says why, for logs.
    public var description: String {
        switch self {
        case .noEndpointAvailable(let lastError?): "no endpoint available (last connect error: \(lastError))"
        case .noEndpointAvailable(nil): "no endpoint available"
        case .closed: "the pool is closed"
        }
    }
}
