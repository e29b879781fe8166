import ProtosocketClient
@testable import ProtosocketRPC
import Testing

/// The endpoint table's power-of-two-choices routing, with the fixtures of
/// ``EndpointTableTests``; a connection's load is looked up in `loads`.
extension EndpointTableTests {
    func chooseByLoad(
        _ table: inout Table,
        at offset: Duration = .zero,
        loads: [String: Int] = [:],
        dead: Set<String> = [],
        excluded: Set<Endpoint> = []
    ) -> Table.Choice {
        let attempts = self.attempts
        return table.choose(
            now: start + offset, excluded: excluded, load: { dead.contains($0) ? nil : loads[$0, default: 0] },
            backoff: backoff, random: { 0 }
        ) { _ in
            attempts.count += 1
            return attempts.count
        }
    }

    /// A table over `endpoints`, each connected as its name's host number ("1", "2", …).
    func connectedTable(_ endpoints: [Endpoint], seed: UInt64 = 7, callsPerTurn: Int = 32) -> Table {
        var table = Table(callsPerTurn: callsPerTurn, balancing: .powerOfTwoChoices, seed: seed)
        _ = table.update(endpoints)
        for endpoint in endpoints {
            guard case .await(let attempt, let at) = chooseByLoad(&table, excluded: Set(endpoints).subtracting([endpoint])) else {
                Issue.record("expected a connect to \(endpoint)")
                continue
            }
            _ = table.connected(at, attempt: attempt, connection: hostNumber(at))
        }
        return table
    }

    func hostNumber(_ endpoint: Endpoint) -> String {
        String(endpoint.description.split(separator: ".")[3].prefix { $0 != ":" })
    }

    func used(_ choice: Table.Choice) -> String? {
        if case .use(let connection, _) = choice {
            return connection
        }
        return nil
    }

    @Test("power of two choices: of two open connections, the less loaded takes the call: a loaded one gets none while two others are idle")
    func lessLoaded() {
        var table = connectedTable([a, b, c])
        var counts: [String: Int] = [:]
        for _ in 0..<300 {
            if let connection = used(chooseByLoad(&table, loads: ["1": 50, "2": 0, "3": 1])) {
                counts[connection, default: 0] += 1
            }
        }
        // "1" is picked only when both draws are "1", which cannot happen (two
        // different entries); "2" beats "3" whenever both are drawn.
        #expect(counts["1"] == nil)
        #expect(counts["2", default: 0] > counts["3", default: 0])
        #expect(counts.values.reduce(0, +) == 300)
    }

    @Test("power of two choices: with equal loads, every connection gets a share")
    func equalLoads() {
        var table = connectedTable([a, b, c])
        var counts: [String: Int] = [:]
        for _ in 0..<3_000 {
            if let connection = used(chooseByLoad(&table)) {
                counts[connection, default: 0] += 1
            }
        }
        #expect(Set(counts.keys) == ["1", "2", "3"])
        #expect(counts.values.allSatisfy { $0 >= 500 })
    }

    @Test("power of two choices decides per run: with even loads, the winner of a draw takes the next callsPerTurn calls")
    func decidesPerRun() {
        var table = connectedTable([a, b, c], callsPerTurn: 8)
        var chosen: [String] = []
        for _ in 0..<80 {
            chosen.append(used(chooseByLoad(&table, loads: ["1": 5, "2": 5, "3": 5])) ?? "none")
        }
        // The connection changes only where a run of 8 ends.
        for index in chosen.indices.dropFirst() where chosen[index] != chosen[index - 1] {
            #expect(index % 8 == 0, "switched within a run at call \(index): \(chosen)")
        }
        #expect(!chosen.contains("none"))
    }

    @Test("power of two choices: a run ends at once when another connection is clearly less loaded, and not for a small difference")
    func runEnds() {
        var table = connectedTable([a, b, c], callsPerTurn: 100)
        guard let winner = used(chooseByLoad(&table)) else {
            Issue.record("expected a connection")
            return
        }
        var loads = ["1": 0, "2": 0, "3": 0]
        // Two more than the others: within the margin (more than 2), the run goes on.
        loads[winner] = 2
        for _ in 0..<20 {
            #expect(used(chooseByLoad(&table, loads: loads)) == winner)
        }
        // A quarter and more than 2 above another: the next call goes elsewhere.
        loads[winner] = 12
        let next = used(chooseByLoad(&table, loads: loads))
        #expect(next != nil && next != winner)
    }

    @Test("power of two choices: an idle endpoint drawn beside an open one connects, so that new endpoints join")
    func idleJoins() {
        var table = connectedTable([a, b])
        _ = table.update([a, b, c])
        var joined = false
        for _ in 0..<50 {
            if case .await(_, let endpoint) = chooseByLoad(&table) {
                #expect(endpoint == c)
                joined = true
                break
            }
        }
        #expect(joined)
    }

    @Test("power of two choices: a dead connection drawn beside an open one is ejected, and the call takes the open one")
    func deadEjected() {
        var table = connectedTable([a, b])
        #expect(used(chooseByLoad(&table, dead: ["1"])) == "2")
        guard case .backingOff = table.entries[0].state else {
            Issue.record("expected 127.0.0.1 to back off, got \(table.entries[0].state)")
            return
        }
        // While it backs off, every call goes to the other.
        for _ in 0..<20 {
            #expect(used(chooseByLoad(&table, at: .milliseconds(500))) == "2")
        }
    }

    @Test("power of two choices: with no open connection among the two, it falls back to the scan: connects, or is unavailable")
    func fallback() {
        var table = Table(balancing: .powerOfTwoChoices, seed: 1)
        _ = table.update([a, b])
        guard case .await(1, _) = chooseByLoad(&table) else {
            Issue.record("expected the first connect")
            return
        }
        table.connectFailed(a, attempt: 1, now: start, backoff: backoff, random: { 0 })
        table.connectFailed(b, attempt: 1, now: start, backoff: backoff, random: { 0 })
        // a backs off; b's attempt was never started with id 1, so b is idle: the scan connects b.
        guard case .await(2, let endpoint) = chooseByLoad(&table) else {
            Issue.record("expected a connect to the idle endpoint")
            return
        }
        #expect(endpoint == b)
        table.connectFailed(b, attempt: 2, now: start, backoff: backoff, random: { 0 })
        guard case .unavailable = chooseByLoad(&table, at: .milliseconds(10)) else {
            Issue.record("expected unavailable while both back off")
            return
        }
    }

    @Test("power of two choices: one endpoint: the scan takes it, whatever its load")
    func single() {
        var table = connectedTable([a])
        #expect(used(chooseByLoad(&table, loads: ["1": 1000])) == "1")
    }

    @Test("power of two choices: the same seed draws the same connections")
    func seeded() {
        var first = connectedTable([a, b, c], seed: 42)
        var second = connectedTable([a, b, c], seed: 42)
        let loads = ["1": 3, "2": 1, "3": 2]
        let one = (0..<20).map { _ in used(chooseByLoad(&first, loads: loads)) }
        let two = (0..<20).map { _ in used(chooseByLoad(&second, loads: loads)) }
        #expect(one == two)
    }
}
