import ArgumentParser
import Foundation

/// The load generator's flags, shared by every echo load tool (ours, the demo, and
/// the gRPC one in `Benchmarks/`), and running the load they describe.
public struct LoadFlags: ParsableArguments {
    @Option(help: "Connections to open.")
    public var connections: Int = 4

    @Option(help: "Calls in flight at most, over all connections (closed loop: always).")
    public var concurrency: Int = 256

    @Option(help: "How many seconds to generate load (each step, with --sweep); 10 unless the tool says otherwise.")
    public var seconds: Int?

    @Option(help: "Open loop: requests per second on a fixed schedule, latency from the scheduled time. With --sweep, the first step's rate.")
    public var rate: Double?

    @Flag(help: "Open loop, stepping the rate up by 25% until p99.9 reaches the latency limit; reports the highest rate that stayed under.")
    public var sweep = false

    @Option(help: "The p99.9 latency limit of --sweep, in milliseconds.")
    public var latencyLimit: Double = 5

    @Flag(help: "Unary echoes (default) or streamed echoes (one response per byte of the message).")
    public var mode: LoadOptions.Mode = .unary

    @Option(help: "The message each request carries.")
    public var message: String = "hello"

    @Option(help: "Write the per-second rows to this CSV file.")
    public var csv: String?

    public init() {}

    func options(host: String, port: Int, defaultSeconds: Int) -> LoadOptions {
        LoadOptions(
            host: host,
            port: port,
            connections: connections,
            concurrency: concurrency,
            duration: .seconds(seconds ?? defaultSeconds),
            mode: mode,
            message: message,
            rate: rate
        )
    }

    /// Runs the load against `host`:`port`, printing a line every second and a
    /// summary, and writing the CSV if asked.
    public func execute(host: String, port: Int, connector: any EchoConnector, defaultSeconds: Int = 10) async throws {
        let options = options(host: host, port: port, defaultSeconds: defaultSeconds)
        let rows = CSVRows()
        let printInterval: @Sendable (LoadReport) -> Void = { report in
            print(report)
            rows.append(report.csvRow)
        }
        let limitText = latencyLimit == latencyLimit.rounded() ? String(Int(latencyLimit)) : String(latencyLimit)
        if sweep {
            let result = try await LoadGenerator.sweep(
                options,
                connector: connector,
                startRate: rate ?? 5_000,
                latencyLimit: .microseconds(Int64(latencyLimit * 1_000)),
                onInterval: printInterval
            ) { step in
                print("step: \(step)")
            }
            if let best = result.best {
                print("sweep: highest rate with p99.9 under \(limitText) ms: \(Int(best.targetRate ?? 0)) Hz (\(best))")
            } else {
                print("sweep: no step stayed under \(limitText) ms at p99.9")
            }
        } else {
            let summary = try await LoadGenerator.run(options, connector: connector, onInterval: printInterval)
            print("summary: \(summary)")
        }
        if let csv {
            let text = ([LoadReport.csvHeader] + rows.all).joined(separator: "\n") + "\n"
            try text.write(toFile: csv, atomically: true, encoding: .utf8)
        }
    }
}

extension LoadOptions.Mode: EnumerableFlag {}

/// Per-second CSV rows, collected from the reporting task.
final class CSVRows: Sendable {
    private let rows = Mutex<[String]>([])

    func append(_ row: String) {
        rows.withLock { $0.append(row) }
    }

    var all: [String] {
        rows.withLock { $0 }
    }
}

import Synchronization
