import ProtosocketClient

/// The endpoints of an ``RPCClientPool`` and what each one is doing: the pool's
/// state machine. Pure: no locks, no I/O, no clock (the pool passes `now`, read
/// only when a backoff is checked or begins, so that a call routed to an open
/// connection never reads the clock, and `random`, called only when a backoff
/// delay is drawn, so that routing a call never asks the system for
/// randomness), so every transition is tested directly.
///
/// An entry per connection slot: ``connectionsPerEndpoint`` for each endpoint,
/// side by side. Per entry: `idle` → `connecting` → `connected`; a failed connect,
/// or a connection found dead, → `backingOff(until:)` for the ``ReconnectBackoff``
/// delay of its failures in a row; once that instant has passed the entry is
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

        /// The open connection, if any.
        @inlinable
        var connected: Connection? {
            if case .connected(let connection, _) = self {
                return connection
            }
            return nil
        }
    }

    @usableFromInline
    struct Entry {
        @usableFromInline
        var endpoint: Endpoint
        /// Which of the endpoint's connections this is.
        @usableFromInline
        var slot: Int
        /// The endpoint's part of its rendezvous weights (``RendezvousHash/prefix(of:)``).
        @usableFromInline
        var hashPrefix: UInt64
        @usableFromInline
        var state: State {
            didSet { connection = state.connected }
        }
        /// The connection of a `connected` state, kept beside it: reading it copies
        /// only the connection, where matching `state` against `.connected` copied
        /// the whole state through its value witness on every call
        /// (Benchmarks/README.md).
        @usableFromInline
        private(set) var connection: Connection?
        /// Failed connects and dead connections in a row.
        @usableFromInline
        var failures: Int

        @inlinable
        init(endpoint: Endpoint, slot: Int, hashPrefix: UInt64, state: State, failures: Int) {
            self.endpoint = endpoint
            self.slot = slot
            self.hashPrefix = hashPrefix
            self.state = state
            self.connection = state.connected
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
    /// connections, runs of 1 gave 0.76x; later, pinned, runs of 128 gave 1.12x
    /// the calls/s of runs of 32 with power of two choices (Benchmarks/README.md).
    @usableFromInline
    let callsPerTurn: Int
    @usableFromInline
    var callsOnCurrent = 0
    /// Power of two choices decides per run of up to ``callsPerTurn`` calls: the
    /// entry that won the last draw, and how many more calls it takes before the
    /// next draw (fewer when another is clearly less loaded). Deciding per call
    /// spread consecutive calls over all connections, so each carried fewer per
    /// write: 45–48 client writes per 1,000 calls against 31.5 in runs and 28 on
    /// direct connections (Benchmarks/README.md, decision 0003).
    @usableFromInline
    var lessLoadedRun = 0
    @usableFromInline
    var lessLoadedRunRemaining = 0
    /// Connections to each endpoint.
    @usableFromInline
    let connectionsPerEndpoint: Int
    /// How calls without a key are spread.
    @usableFromInline
    let balancing: LoadBalancing
    /// The state of the generator (splitmix64) that draws the two entries of a
    /// power-of-two-choices call: cheap, and no system randomness per call.
    @usableFromInline
    var drawState: UInt64

    @inlinable
    init(
        callsPerTurn: Int = 128,
        connectionsPerEndpoint: Int = 1,
        balancing: LoadBalancing = .roundRobin,
        seed: UInt64 = .random(in: .min ... .max)
    ) {
        self.callsPerTurn = max(1, callsPerTurn)
        self.connectionsPerEndpoint = max(1, connectionsPerEndpoint)
        self.balancing = balancing
        self.drawState = seed
    }

    @usableFromInline
    var endpoints: [Endpoint] { entries.filter { $0.slot == 0 }.map(\.endpoint) }

    /// Replaces the endpoint list, keeping the state of endpoints that remain.
    /// Returns the connections of endpoints that are gone, for the pool to close.
    @inlinable
    mutating func update(_ endpoints: [Endpoint]) -> [Connection] {
        // Entries move: the next call draws afresh.
        lessLoadedRunRemaining = 0
        var old: [SlotKey: Entry] = [:]
        for entry in entries {
            old[SlotKey(endpoint: entry.endpoint, slot: entry.slot)] = entry
        }
        var seen = Set<Endpoint>()
        entries = []
        for endpoint in endpoints where seen.insert(endpoint).inserted {
            let prefix = RendezvousHash.prefix(of: endpoint)
            for slot in 0..<connectionsPerEndpoint {
                entries.append(
                    old.removeValue(forKey: SlotKey(endpoint: endpoint, slot: slot))
                        ?? Entry(endpoint: endpoint, slot: slot, hashPrefix: prefix, state: .idle, failures: 0)
                )
            }
        }
        return old.values.compactMap(\.connection)
    }

    /// For a call without a key, by ``balancing``: the endpoints in turn
    /// (``callsPerTurn`` calls each), or the less loaded of two drawn at random;
    /// either way skipping those backing off and those in `excluded`. `load` is a
    /// connection's pending calls, or `nil` once it has closed (it is then
    /// ejected).
    ///
    /// Always inlined, as is `chooseLessLoaded`, so that the pool's `load`
    /// closure is inlined into its choice: otherwise every look called it
    /// indirectly with a retained copy of the connection (Benchmarks/README.md,
    /// seventh session).
    @inlinable @inline(__always)
    mutating func choose(
        now: @autoclosure () -> ContinuousClock.Instant,
        excluded: Set<Endpoint> = [],
        load: (Connection) -> Int?,
        backoff: ReconnectBackoff,
        random: () -> Double,
        startConnect: (Endpoint) -> Attempt
    ) -> Choice {
        guard !entries.isEmpty else {
            return .unavailable
        }
        if balancing == .powerOfTwoChoices,
            let choice = chooseLessLoaded(
                now: now(), excluded: excluded, load: load,
                backoff: backoff, random: random, startConnect: startConnect
            )
        {
            return choice
        }
        for step in 0..<entries.count {
            let index = (rotation + step) % entries.count
            if let choice = take(index, now: now(), excluded: excluded, load: load, backoff: backoff, random: random, startConnect: startConnect) {
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

    /// Power of two choices: two different entries drawn at random; of those with
    /// an open connection, the one with the lower `load` (the first drawn on a
    /// tie). When only one of them is open and the other is waiting to connect
    /// (idle, or its backoff over), the other connects, so that new and returning
    /// endpoints join. `nil` when neither is open (the caller falls back to the
    /// round-robin scan, which connects or skips as needed).
    @inlinable @inline(__always)
    mutating func chooseLessLoaded(
        now: @autoclosure () -> ContinuousClock.Instant,
        excluded: Set<Endpoint>,
        load: (Connection) -> Int?,
        backoff: ReconnectBackoff,
        random: () -> Double,
        startConnect: (Endpoint) -> Attempt
    ) -> Choice? {
        let count = entries.count
        guard count >= 2 else {
            return nil
        }
        // The load of entry `index` when it is open and not excluded, else nil;
        // read where the connection is kept, without binding a copy of it.
        func openLoad(_ index: Int) -> Int? {
            guard excluded.isEmpty || !excluded.contains(entries[index].endpoint) else {
                return nil
            }
            return entries[index].connection.flatMap { load($0) }
        }
        if lessLoadedRunRemaining > 0, lessLoadedRun < count, let current = openLoad(lessLoadedRun) {
            // The run goes on unless another connection, drawn at random, is
            // clearly less loaded (a quarter less, and by more than 2): a slow
            // server's calls pile up, and it loses the run at once.
            let other = drawIndex(count, other: lessLoadedRun)
            if let rival = openLoad(other), rival + max(2, current / 4) < current {
                return startRun(other)
            }
            lessLoadedRunRemaining -= 1
            return use(lessLoadedRun)
        }
        lessLoadedRunRemaining = 0
        let first = Int(draw() % UInt64(count))
        let second = drawIndex(count, other: first)
        switch (openLoad(first), openLoad(second)) {
        case (let a?, let b?):
            return a <= b ? startRun(first) : startRun(second)
        case (_?, nil):
            return join(second, now: now(), excluded: excluded, load: load, backoff: backoff, random: random, startConnect: startConnect)
                ?? use(first)
        case (nil, _?):
            return join(first, now: now(), excluded: excluded, load: load, backoff: backoff, random: random, startConnect: startConnect)
                ?? use(second)
        case (nil, nil):
            return nil
        }
    }

    /// Entry `index`, found open, takes this call and starts a run.
    @inlinable
    mutating func startRun(_ index: Int) -> Choice {
        lessLoadedRun = index
        lessLoadedRunRemaining = callsPerTurn - 1
        return use(index)
    }

    /// Entry `index`, found open under the same lock, takes this call.
    @inlinable
    func use(_ index: Int) -> Choice {
        // The connection is there: the caller has just read its load.
        guard let connection = entries[index].connection else {
            return .unavailable
        }
        return .use(connection, entries[index].endpoint)
    }

    /// An entry index below `count` drawn at random, other than `other`.
    @inlinable
    mutating func drawIndex(_ count: Int, other: Int) -> Int {
        let index = Int(draw() % UInt64(count - 1))
        return index >= other ? index + 1 : index
    }

    /// Entry `index`, not open, beside one that is: starts its connect when it is
    /// idle or its backoff is over; ejects it when its connection died. `nil`
    /// when the call should take the open one.
    @inlinable
    mutating func join(
        _ index: Int,
        now: @autoclosure () -> ContinuousClock.Instant,
        excluded: Set<Endpoint>,
        load: (Connection) -> Int?,
        backoff: ReconnectBackoff,
        random: () -> Double,
        startConnect: (Endpoint) -> Attempt
    ) -> Choice? {
        // A connect under way is not waited for; everything else is what `take`
        // decides (a backoff not over and an excluded endpoint give nil).
        if case .connecting = entries[index].state {
            return nil
        }
        return take(index, now: now(), excluded: excluded, load: load, backoff: backoff, random: random, startConnect: startConnect)
    }

    /// The next draw of the splitmix64 generator.
    @inlinable
    mutating func draw() -> UInt64 {
        drawState &+= 0x9E37_79B9_7F4A_7C15
        var z = drawState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// For a call with a key: the eligible endpoint with the highest rendezvous
    /// weight for `key` (``RendezvousHash``), skipping those in `excluded`.
    @inlinable
    mutating func choose(
        key: [UInt8],
        now: @autoclosure () -> ContinuousClock.Instant,
        excluded: Set<Endpoint> = [],
        load: (Connection) -> Int?,
        backoff: ReconnectBackoff,
        random: () -> Double,
        startConnect: (Endpoint) -> Attempt
    ) -> Choice {
        // Each entry's weight; `nil` once tried. The slots of an endpoint share its
        // weight; the key's own slot (weight modulo the slots) goes first.
        let slots = UInt64(connectionsPerEndpoint)
        var weights: [(weight: UInt64, preferred: Bool)?] = entries.map { entry in
            let weight = RendezvousHash.weight(prefix: entry.hashPrefix, forKey: key)
            return (weight, weight % slots == UInt64(entry.slot))
        }
        while let index = Self.heaviest(weights, entries) {
            if let choice = take(index, now: now(), excluded: excluded, load: load, backoff: backoff, random: random, startConnect: startConnect) {
                return choice
            }
            weights[index] = nil
        }
        return .unavailable
    }

    /// The index of the highest weight not yet tried; among an endpoint's slots the
    /// preferred one, then the lowest; ties between endpoints (practically
    /// impossible): the description that sorts first.
    @inlinable
    static func heaviest(_ weights: [(weight: UInt64, preferred: Bool)?], _ entries: [Entry]) -> Int? {
        var best: (index: Int, weight: UInt64, preferred: Bool)?
        for (index, candidate) in weights.enumerated() {
            guard let candidate else {
                continue
            }
            guard let current = best else {
                best = (index, candidate.weight, candidate.preferred)
                continue
            }
            let better: Bool
            if candidate.weight != current.weight {
                better = candidate.weight > current.weight
            } else if entries[index].endpoint == entries[current.index].endpoint {
                better = candidate.preferred && !current.preferred
            } else {
                better = entries[index].endpoint.description < entries[current.index].endpoint.description
            }
            if better {
                best = (index, candidate.weight, candidate.preferred)
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
        guard let index = index(of: endpoint, attempt: attempt) else {
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
        guard let index = index(of: endpoint, attempt: attempt),
            case .connecting(let current) = entries[index].state, current == attempt
        else {
            return
        }
        eject(index, now: now, backoff: backoff, random: random)
    }

    /// The entry of `endpoint` that `attempt` is (or was) connecting.
    @inlinable
    func index(of endpoint: Endpoint, attempt: Attempt) -> Int? {
        entries.firstIndex { entry in
            guard entry.endpoint == endpoint else {
                return false
            }
            switch entry.state {
            case .connecting(let current), .connected(_, let current):
                return current == attempt
            case .idle, .backingOff:
                return false
            }
        }
    }

    /// Every open connection, leaving every endpoint idle (the pool is closing).
    @inlinable
    mutating func removeConnections() -> [Connection] {
        let open = entries.compactMap(\.connection)
        for index in entries.indices {
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
        now: @autoclosure () -> ContinuousClock.Instant,
        excluded: Set<Endpoint>,
        load: (Connection) -> Int?,
        backoff: ReconnectBackoff,
        random: () -> Double,
        startConnect: (Endpoint) -> Attempt
    ) -> Choice? {
        let endpoint = entries[index].endpoint
        guard excluded.isEmpty || !excluded.contains(endpoint) else {
            return nil
        }
        if let connection = entries[index].connection, load(connection) != nil {
            return .use(connection, endpoint)
        }
        switch entries[index].state {
        case .connected:
            // The connection died: the endpoint backs off like a failed connect.
            eject(index, now: now(), backoff: backoff, random: random)
            return nil
        case .connecting(let attempt):
            return .await(attempt, endpoint)
        case .backingOff(let until) where until > now():
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

/// An entry's identity across updates: an endpoint and a slot.
@usableFromInline
struct SlotKey: Hashable {
    @usableFromInline
    let endpoint: Endpoint
    @usableFromInline
    let slot: Int

    @inlinable
    init(endpoint: Endpoint, slot: Int) {
        self.endpoint = endpoint
        self.slot = slot
    }
}
