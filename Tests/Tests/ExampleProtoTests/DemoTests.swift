import EchoLoad
import Testing
import TestSupport

@Suite("example-proto demo")
struct DemoTests {
    @Test("the demo runs for 1 second and reports a non-zero rate with no errors", arguments: LoadOptions.Mode.allCases)
    func demoRuns(_ mode: LoadOptions.Mode) async throws {
        let intervals = Counter()
        let report = try await Demo.run(
            LoadOptions(port: 0, connections: 2, concurrency: 32, duration: .seconds(1), mode: mode)
        ) { _ in intervals.increment() }
        #expect(report.count > 0, "\(report)")
        #expect(report.rate > 0)
        #expect(report.errors == 0)
        #expect(intervals.value >= 1)
    }
}

@Suite("load generator modes")
struct LoadModeTests {
    @Test("open loop sends exactly rate x duration requests, each answered")
    func openLoopCount() async throws {
        let report = try await Demo.run(
            LoadOptions(port: 0, connections: 2, concurrency: 16, duration: .seconds(1), rate: 200)
        )
        #expect(report.count == 200)
        #expect(report.errors == 0)
    }

    @Test("a sweep stops at the first step over the latency limit and reports the last one under it")
    func sweepStops() async throws {
        let result = try await Demo.withServer { port in
            try await LoadGenerator.sweep(
                LoadOptions(port: port, connections: 1, concurrency: 8, duration: .milliseconds(300)),
                startRate: 100,
                factor: 2,
                latencyLimit: .nanoseconds(1)
            )
        }
        // No call is answered within a nanosecond: the first step fails.
        #expect(result.steps.count == 1)
        #expect(result.best == nil)
        #expect(result.steps.first?.targetRate == 100)
    }
}

@Suite("load generator sweep")
struct SweepTests {
    @Test("a sweep under a generous limit steps the rate up by its factor and reports the highest step")
    func sweepSteps() async throws {
        let result = try await Demo.withServer { port in
            try await LoadGenerator.sweep(
                LoadOptions(port: port, connections: 1, concurrency: 8, duration: .milliseconds(500)),
                startRate: 100,
                factor: 2,
                latencyLimit: .seconds(30),
                maximumSteps: 3
            )
        }
        #expect(result.steps.compactMap(\.targetRate) == [100, 200, 400])
        #expect(result.best?.targetRate == 400)
    }
}

@Suite("HOST parsing")
struct HostAndPortTests {
    @Test("host, host:port, [v6], [v6]:port and a bare IPv6 address")
    func forms() {
        let bare4 = HostAndPort(parsing: "127.0.0.1")
        #expect(bare4.host == "127.0.0.1" && bare4.port == nil)
        let withPort = HostAndPort(parsing: "127.0.0.1:9100")
        #expect(withPort.host == "127.0.0.1" && withPort.port == 9100)
        let bracketed = HostAndPort(parsing: "[::1]:9100")
        #expect(bracketed.host == "::1" && bracketed.port == 9100)
        let bare = HostAndPort(parsing: "::1")
        #expect(bare.host == "::1" && bare.port == nil)
        let name = HostAndPort(parsing: "localhost:80")
        #expect(name.host == "localhost" && name.port == 80)
    }
}
