import EchoLoad
import Testing

@Suite("example-proto demo")
struct DemoTests {
    @Test("the demo runs for 1 second and reports a non-zero rate with no errors", arguments: LoadOptions.Mode.allCases)
    func demoRuns(_ mode: LoadOptions.Mode) async throws {
        let intervals = IntervalCount()
        let report = try await Demo.run(
            LoadOptions(port: 0, connections: 2, concurrency: 32, duration: .seconds(1), mode: mode)
        ) { _ in intervals.add() }
        #expect(report.count > 0, "\(report)")
        #expect(report.rate > 0)
        #expect(report.errors == 0)
        #expect(intervals.value >= 1)
    }
}

import Synchronization

final class IntervalCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add() { count.wrappingAdd(1, ordering: .relaxed) }
}
