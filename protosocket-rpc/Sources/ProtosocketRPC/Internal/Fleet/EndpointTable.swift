import ProtosocketClient

/// The endpoints of an ``RPCClientPool`` and what each one is doing: the pool's
/// state machine. Pure: no locks, no I/O, no clock (the pool passes `now`, and
/// `random`, called only when a backoff delay is drawn, so that routing a call
/// never asks the system for randomness), so every transition is tested
/// directly.
///
/// Per endpoint: `idle` → `connecting` → `connected`; a failed connect, or a
/// connection found dead, → `backingOff(until:)` for the ``ReconnectBackoff`` delay
/// of its failures in a row; once that instant has passed the endpoint is
/// eligible again and the next call that picks it connects.
@usableFromInline
struct EndpointTable<Connection, Attempt: Equatable> {
    @usableFromInline
    enum State {
        case idle
        case connecting(Attempt)
        /// Open, made by that connect attempt.
        case connected(Connection, Attempt)
        case backingOff(until: ContinuousClock.Instant)
    }

    @usableFromInline
    struct Entry {
        @usableFromInline
        var endpoint: Endpoint
        /// The endpoint's part of its rendezvous weights (``RendezvousHash/prefix(of:)``).
        @usableFromInline
        var hashPrefix: UInt64
        @usableFromInline
        var state: State
        /// Failed connects and dead connections in a row.
        @usableFromInline
        var failures: Int

        @inlinable
        init(endpoint: Endpoint, hashPrefix: UInt64, state: State, failures: Int) {
            self.endpoint = endpoint
            self.hashPrefix = hashPrefix
            self.state = state
            self.failures = failures
        }
    }

    /// What a call should do.
    @usableFromInline
    enum Choice {
        /// Use this open connection.
        case use(Connection, Endpoint)
        /// Wait for this connect (in flight, or just started by this choice).
        case await(Attempt, Endpoint)
        /// No endpoint is eligible now: there are none, or all are backing off.
        case unavailable
    }

    @usableFromInline
    var entries: [Entry] = []
    @usableFromInline
    var rotation = 0
    /// Calls without a key go to one endpoint in runs of this many, then to the
    /// next: consecutive calls on one connection go out in one write, and over
    /// time every endpoint gets an equal share. Measured with 256 calls in flight
    /// over three connections: runs of 32 gave 0.89x the calls/s of direct
    /// connections, runs of 1 gave 0.76x (Benchmarks/README.md).
    @usableFromInline
    let callsPerTurn: Int
    @usableFromInline
    var callsOnCurrent = 0

    @inlinable
    init(callsPerTurn: Int = 32) {
        self.callsPerTurn = max(1, callsPerTurn)
    }

    @usableFromInline
    var endpoints: [Endpoint] { entries.map(\.endpoint) }

    /// Replaces the endpoint list, keeping the state of endpoints that remain.
    /// Returns the connections of endpoints that are gone, for the pool to close.
    @inlinable
    mutating func update(_ endpoints: [Endpoint]) -> [Connection] {
        var old: [Endpoint: Entry] = [:]
        for entry in entries {
            old[entry.endpoint] = entry
        }
        var seen = Set<Endpoint>()
        entries = endpoints.compactMap { endpoint in
            guard seen.insert(endpoint).inserted else {
                return nil
            }
            return old.removeValue(forKey: endpoint)
                ?? Entry(endpoint: endpoint, hashPrefix: RendezvousHash.prefix(of: endpoint), state: .idle, failures: 0)
        }
        return old.values.compactMap { entry in
            if case .connected(let connection, _) = entry.state {
                return connection
            }
            return nil
        }
    }

    /// For a call without a key: the endpoints in turn (``callsPerTurn`` calls
    /// each), skipping those backing off and those in `excluded`.
    @inlinable
    mutating func choose(
        now: ContinuousClock.Instant,
        excluded: Set<Endpoint> = [],
        isAlive: (Connection) -> Bool,
        backoff: ReconnectBackoff,
        random: () -> Double,
        startConnect: (Endpoint) -> Attempt
    ) -> Choice {
        guard !entries.isEmpty else {
            return .unavailable
        }
        for step in 0..<entries.count {
            let index = (rotation + step) % entries.count
            if let choice = take(index, now: now, excluded: excluded, isAlive: isAlive, backoff: backoff, random: random, startConnect: startConnect) {
                callsOnCurrent += 1
                if step > 0 || callsOnCurrent >= callsPerTurn {
                    callsOnCurrent = 0
                    rotation = step > 0 ? index : (index + 1) % entries.count
                }
                return choice
            }
        }
        return .unavailable
    }

    /// For a call with a key: the eligible endpoint with the highest rendezvous
    /// weight for `key` (``RendezvousHash``), skipping those in `excluded`.
    @inlinable
    mutating func choose(
        key: [UInt8],
        now: ContinuousClock.Instant,
        excluded: Set<Endpoint> = [],
        isAlive: (Connection) -> Bool,
        backoff: ReconnectBackoff,
        random: () -> Double,
        startConnect: (Endpoint) -> Attempt
    ) -> Choice {
        // Each entry's weight; `nil` once tried.
        var weights: [UInt64?] = entries.map { RendezvousHash.weight(prefix: $0.hashPrefix, forKey: key) }
        while let index = Self.heaviest(weights, entries) {
            if let choice = take(index, now: now, excluded: excluded, isAlive: isAlive, backoff: backoff, random: random, startConnect: startConnect) {
                return choice
            }
            weights[index] = nil
        }
        return .unavailable
    }

    /// The index of the highest weight not yet tried (ties, practically impossible:
    /// the description that sorts first).
    @inlinable
    static func heaviest(_ weights: [UInt64?], _ entries: [Entry]) -> Int? {
        var best: (index: Int, weight: UInt64)?
        for (index, weight) in weights.enumerated() {
            guard let weight else {
                continue
            }
            guard let current = best else {
                best = (index, weight)
                continue
            }
            if weight > current.weight
                || (weight == current.weight && entries[index].endpoint.description < entries[current.index].endpoint.description)
            {
                best = (index, weight)
            }
        }
        return best?.index
    }

    /// The connect `attempt` to `endpoint` succeeded; every caller that waited for
    /// it reports so. Returns `connection` back when the table does not hold it
    /// (the endpoint was removed, or another attempt replaced this one), for the
    /// pool to close; `nil` when it is the endpoint's connection.
    @inlinable
    mutating func connected(_ endpoint: Endpoint, attempt: Attempt, connection: Connection) -> Connection? {
        guard let index = entries.firstIndex(where: { $0.endpoint == endpoint }) else {
            return connection
        }
        switch entries[index].state {
        case .connecting(let current) where current == attempt:
            entries[index].state = .connected(connection, attempt)
            entries[index].failures = 0
            return nil
        case .connected(_, let current) where current == attempt:
            // Another waiter for the same connect reported it first.
            return nil
        default:
            return connection
        }
    }

    /// The connect `attempt` to `endpoint` failed: it backs off.
    @inlinable
    mutating func connectFailed(_ endpoint: Endpoint, attempt: Attempt, now: ContinuousClock.Instant, backoff: ReconnectBackoff, random: () -> Double) {
        guard let index = entries.firstIndex(where: { $0.endpoint == endpoint }),
            case .connecting(let current) = entries[index].state, current == attempt
        else {
            return
        }
        eject(index, now: now, backoff: backoff, random: random)
    }

    /// Every open connection, leaving every endpoint idle (the pool is closing).
    @inlinable
    mutating func removeConnections() -> [Connection] {
        var open: [Connection] = []
        for index in entries.indices {
            if case .connected(let connection, _) = entries[index].state {
                open.append(connection)
            }
            entries[index].state = .idle
        }
        return open
    }

    @inlinable
    mutating func eject(_ index: Int, now: ContinuousClock.Instant, backoff: ReconnectBackoff, random: () -> Double) {
        entries[index].failures += 1
        let delay = backoff.delay(afterFailures: entries[index].failures, random: random())
        entries[index].state = .backingOff(until: now.advanced(by: delay))
    }

    /// What entry `index` offers a call now, or `nil` when it is not eligible.
    @inlinable
    mutating func take(
        _ index: Int,
        now: ContinuousClock.Instant,
        excluded: Set<Endpoint>,
        isAlive: (Connection) -> Bool,
        backoff: ReconnectBackoff,
        random: () -> Double,
        startConnect: (Endpoint) -> Attempt
    ) -> Choice? {
        let endpoint = entries[index].endpoint
        guard !excluded.contains(endpoint) else {
            return nil
        }
        switch entries[index].state {
        case .connected(let connection, _) where isAlive(connection):
            return .use(connection, endpoint)
        case .connected:
            // The connection died: the endpoint backs off like a failed connect.
            eject(index, now: now, backoff: backoff, random: random)
            return nil
        case .connecting(let attempt):
            return .await(attempt, endpoint)
        case .backingOff(let until) where until > now:
            return nil
        case .idle, .backingOff:
            let attempt = startConnect(endpoint)
            entries[index].state = .connecting(attempt)
            return .await(attempt, endpoint)
        }
    }
}

extension EndpointTable: Sendable where Connection: Sendable, Attempt: Sendable {}
extension EndpointTable.State: Sendable where Connection: Sendable, Attempt: Sendable {}
extension EndpointTable.Entry: Sendable where Connection: Sendable, Attempt: Sendable {}
