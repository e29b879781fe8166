import ProtosocketClient
@testable import ProtosocketRPC
import Testing

/// The pool's endpoint table, transition by transition. Connections are
/// strings ("alive" unless listed in `dead`), connect attempts are integers.
@Suite("EndpointTable")
struct EndpointTableTests {
    typealias Table = EndpointTable<String, Int>

    let a = Endpoint.host("127.0.0.1", port: 1)
    let b = Endpoint.host("127.0.0.2", port: 1)
    let c = Endpoint.host("127.0.0.3", port: 1)
    let backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(8), jitter: 0)
    let start = ContinuousClock.now

    /// Numbers the connect attempts a table starts.
    final class Attempts {
        var count = 0
    }

    let attempts = Attempts()

    func choose(_ table: inout Table, at offset: Duration = .zero, excluded: Set<Endpoint> = [], dead: Set<String> = []) -> Table.Choice {
        let attempts = self.attempts
        return table.choose(now: start + offset, excluded: excluded, load: { dead.contains($0) ? nil : 0 }, backoff: backoff, random: { 0 }) { _ in
            attempts.count += 1
            return attempts.count
        }
    }

    func describe(_ choice: Table.Choice) -> String {
        switch choice {
        case .use(let connection, let endpoint): "use \(connection) at \(endpoint)"
        case .await(let attempt, let endpoint): "await \(attempt) at \(endpoint)"
        case .unavailable: "unavailable"
        }
    }

    @Test("idle endpoints connect in turn; a connected one is used; calls take the endpoints round-robin")
    func roundRobin() {
        var table = Table(callsPerTurn: 1)
        #expect(table.update([a, b]).isEmpty)
        #expect(describe(choose(&table)) == "await 1 at 127.0.0.1:1")
        #expect(describe(choose(&table)) == "await 2 at 127.0.0.2:1")
        // While connecting, later calls wait for the same attempt.
        #expect(describe(choose(&table)) == "await 1 at 127.0.0.1:1")
        #expect(table.connected(a, attempt: 1, connection: "A") == nil)
        #expect(table.connected(b, attempt: 2, connection: "B") == nil)
        #expect(describe(choose(&table)) == "use B at 127.0.0.2:1")
        #expect(describe(choose(&table)) == "use A at 127.0.0.1:1")
        #expect(describe(choose(&table)) == "use B at 127.0.0.2:1")
    }

    @Test("with runs of three, calls stay on an endpoint three times before the next; a skipped endpoint starts a new run on the one taken")
    func runs() {
        var table = Table(callsPerTurn: 3)
        _ = table.update([a, b])
        var served: [String] = []
        for _ in 0..<7 {
            let choice = choose(&table)
            served.append(describe(choice))
            if case .await(let attempt, let endpoint) = choice {
                _ = table.connected(endpoint, attempt: attempt, connection: endpoint == a ? "A" : "B")
            }
        }
        #expect(served == [
            "await 1 at 127.0.0.1:1", "use A at 127.0.0.1:1", "use A at 127.0.0.1:1",
            "await 2 at 127.0.0.2:1", "use B at 127.0.0.2:1", "use B at 127.0.0.2:1",
            "use A at 127.0.0.1:1",
        ])
        // A dies during its run: the call goes to B, which starts a run of its own.
        #expect(describe(choose(&table, dead: ["A"])) == "use B at 127.0.0.2:1")
        #expect(describe(choose(&table)) == "use B at 127.0.0.2:1")
    }

    @Test("two connections per endpoint: each slot connects on its own; a key always takes the same slot of its endpoint")
    func slots() {
        var table = Table(callsPerTurn: 1, connectionsPerEndpoint: 2)
        _ = table.update([a, b])
        #expect(table.endpoints == [a, b])
        #expect(table.entries.count == 4)
        // Round-robin over the four slots: a's two, then b's two.
        var served: [String] = []
        for _ in 0..<4 {
            let choice = choose(&table)
            served.append(describe(choice))
            if case .await(let attempt, let endpoint) = choice {
                _ = table.connected(endpoint, attempt: attempt, connection: "\(endpoint)#\(attempt)")
            }
        }
        #expect(served == ["await 1 at 127.0.0.1:1", "await 2 at 127.0.0.1:1", "await 3 at 127.0.0.2:1", "await 4 at 127.0.0.2:1"])
        let key = Array("user-7".utf8)
        let picks = (0..<3).map { _ in
            describe(table.choose(key: key, now: start, load: { _ in 0 }, backoff: backoff, random: { 0 }) { _ in 99 })
        }
        #expect(Set(picks).count == 1)
        #expect(picks[0].hasPrefix("use"))
        #expect(picks[0].hasSuffix("\(RendezvousHash.ranked([a, b], forKey: key)[0])"))
        // Removing b hands back both of its connections.
        #expect(table.update([a]).count == 2)
    }

    @Test("an entry's kept connection follows its state: connected, ejected when dead, connected again, removed")
    func keptConnectionFollowsState() {
        var table = Table(callsPerTurn: 1)
        _ = table.update([a, b])
        func kept() -> [String?] {
            #expect(table.entries.allSatisfy { $0.connection == $0.state.connected })
            return table.entries.map(\.connection)
        }
        #expect(kept() == [nil, nil])
        _ = choose(&table)
        #expect(table.connected(a, attempt: 1, connection: "A") == nil)
        #expect(kept() == ["A", nil])
        _ = choose(&table)
        #expect(table.connected(b, attempt: 2, connection: "B") == nil)
        #expect(kept() == ["A", "B"])
        // A found dead: ejected, so nothing is kept for it.
        #expect(describe(choose(&table, dead: ["A"])) == "use B at 127.0.0.2:1")
        #expect(kept() == [nil, "B"])
        // Once its backoff is over, A's turn comes within two calls.
        var next = describe(choose(&table, at: .seconds(1)))
        if next == "use B at 127.0.0.2:1" {
            next = describe(choose(&table, at: .seconds(1)))
        }
        #expect(next == "await 3 at 127.0.0.1:1")
        #expect(table.connected(a, attempt: 3, connection: "A2") == nil)
        #expect(kept() == ["A2", "B"])
        #expect(Set(table.removeConnections()) == ["A2", "B"])
        #expect(kept() == [nil, nil])
    }

    @Test("a call routed to an open connection does not read the clock; a backoff check does")
    func clockReadOnlyForBackoff() {
        final class Clock {
            var reads = 0
            let start = ContinuousClock.now
            func now() -> ContinuousClock.Instant {
                reads += 1
                return start
            }
        }
        let clock = Clock()
        var table = Table(callsPerTurn: 1)
        _ = table.update([a, b])
        let attempts = self.attempts
        func choose(dead: Set<String> = []) -> Table.Choice {
            table.choose(now: clock.now(), load: { dead.contains($0) ? nil : 0 }, backoff: backoff, random: { 0 }) { _ in
                attempts.count += 1
                return attempts.count
            }
        }
        _ = choose()
        _ = choose()
        #expect(table.connected(a, attempt: 1, connection: "A") == nil)
        #expect(table.connected(b, attempt: 2, connection: "B") == nil)
        let before = clock.reads
        for _ in 0..<10 {
            #expect(describe(choose()).hasPrefix("use"))
        }
        #expect(clock.reads == before)
        // A found dead is ejected until its backoff ends: that needs the time.
        _ = choose(dead: ["A"])
        #expect(clock.reads > before)
    }

    @Test("a failed connect backs off for the backoff delay, growing with failures in a row, then the endpoint is tried again")
    func backoffAfterFailure() {
        var table = Table(callsPerTurn: 1)
        _ = table.update([a])
        #expect(describe(choose(&table)) == "await 1 at 127.0.0.1:1")
        table.connectFailed(a, attempt: 1, now: start, backoff: backoff, random: { 0 })
        #expect(describe(choose(&table, at: .milliseconds(999))) == "unavailable")
        #expect(describe(choose(&table, at: .seconds(1))) == "await 2 at 127.0.0.1:1")
        table.connectFailed(a, attempt: 2, now: start + .seconds(1), backoff: backoff, random: { 0 })
        // Second failure in a row: 2 s.
        #expect(describe(choose(&table, at: .milliseconds(2_999))) == "unavailable")
        #expect(describe(choose(&table, at: .seconds(3))) == "await 3 at 127.0.0.1:1")
        // Success resets the count: the next failure backs off 1 s again.
        #expect(table.connected(a, attempt: 3, connection: "A") == nil)
        #expect(describe(choose(&table, at: .seconds(4), dead: ["A"])) == "unavailable")
        #expect(describe(choose(&table, at: .seconds(5))) == "await 4 at 127.0.0.1:1")
    }

    @Test("a dead connection ejects its endpoint and the call goes to the next one")
    func deadConnection() {
        var table = Table(callsPerTurn: 1)
        _ = table.update([a, b])
        _ = choose(&table)
        _ = choose(&table)
        _ = table.connected(a, attempt: 1, connection: "A")
        _ = table.connected(b, attempt: 2, connection: "B")
        #expect(describe(choose(&table, dead: ["A"])) == "use B at 127.0.0.2:1")
        #expect(describe(choose(&table, dead: ["A"])) == "use B at 127.0.0.2:1")
    }

    @Test("a stale attempt's result is refused (handed back to be closed) and its failure is ignored")
    func staleAttempts() {
        var table = Table(callsPerTurn: 1)
        _ = table.update([a])
        _ = choose(&table)
        #expect(table.connected(a, attempt: 7, connection: "late") == "late")
        // Every waiter of one connect reports its success: all are accepted.
        var other = Table(callsPerTurn: 1)
        _ = other.update([a])
        _ = choose(&other)
        let attempt = attempts.count
        #expect(other.connected(a, attempt: attempt, connection: "A") == nil)
        #expect(other.connected(a, attempt: attempt, connection: "A") == nil)
        #expect(describe(choose(&other)) == "use A at 127.0.0.1:1")
        table.connectFailed(a, attempt: 7, now: start, backoff: backoff, random: { 0 })
        #expect(describe(choose(&table)) == "await 1 at 127.0.0.1:1")
        // Removed while connecting: the connection is handed back.
        _ = table.update([b])
        #expect(table.connected(a, attempt: 1, connection: "A") == "A")
    }

    @Test("an update keeps the state of endpoints that stay and hands back the connections of those that go")
    func updates() {
        var table = Table(callsPerTurn: 1)
        _ = table.update([a, b, a])
        #expect(table.endpoints == [a, b])
        _ = choose(&table)
        _ = choose(&table)
        _ = table.connected(a, attempt: 1, connection: "A")
        _ = table.connected(b, attempt: 2, connection: "B")
        #expect(table.update([b, c]) == ["A"])
        #expect(describe(choose(&table)) == "use B at 127.0.0.2:1")
        #expect(table.removeConnections() == ["B"])
    }

    @Test("excluded endpoints are skipped; with every endpoint excluded or backing off, nothing is available")
    func exclusion() {
        var table = Table(callsPerTurn: 1)
        #expect(describe(choose(&table)) == "unavailable")
        _ = table.update([a, b])
        #expect(describe(choose(&table, excluded: [a])) == "await 1 at 127.0.0.2:1")
        #expect(describe(choose(&table, excluded: [a, b])) == "unavailable")
    }

    @Test("a key takes the eligible endpoint with its highest rendezvous weight, then the next")
    func keyed() {
        var table = Table()
        _ = table.update([a, b, c])
        let key = Array("user-42".utf8)
        let ranking = RendezvousHash.ranked([a, b, c], forKey: key)
        let attempts = self.attempts
        let backoff = self.backoff
        let pick = { (table: inout Table, now: ContinuousClock.Instant) in
            table.choose(key: key, now: now, load: { _ in 0 }, backoff: backoff, random: { 0 }) { _ in
                attempts.count += 1
                return attempts.count
            }
        }
        #expect(describe(pick(&table, start)) == "await 1 at \(ranking[0])")
        table.connectFailed(ranking[0], attempt: 1, now: start, backoff: backoff, random: { 0 })
        #expect(describe(pick(&table, start)) == "await 2 at \(ranking[1])")
        table.connectFailed(ranking[1], attempt: 2, now: start, backoff: backoff, random: { 0 })
        #expect(describe(pick(&table, start)) == "await 3 at \(ranking[2])")
        // Back at the top once its backoff has passed.
        #expect(describe(pick(&table, start + .seconds(2))) == "await 4 at \(ranking[0])")
    }
}

@Suite("ReconnectBackoff")
struct ReconnectBackoffTests {
    @Test("delays double from the initial one up to the maximum; jitter shortens them by up to its fraction")
    func delays() {
        let backoff = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0.5)
        #expect(backoff.delay(afterFailures: 1, random: 0) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 3, random: 0) == .milliseconds(400))
        #expect(backoff.delay(afterFailures: 10, random: 0) == .seconds(1))
        #expect(backoff.delay(afterFailures: 1_000, random: 0) == .seconds(1))
        #expect(backoff.delay(afterFailures: 1, random: 1) == .milliseconds(50))
    }
}
