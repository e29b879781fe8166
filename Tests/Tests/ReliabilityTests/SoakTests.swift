import EchoProto
import Foundation
import ProtosocketRPC
import Synchronization
import Testing
import TestSupport

/// What the soak's callers did, counted per call.
final class SoakTally: Sendable {
    let sent = Counter()
    let completed = Counter()
    let cancelled = Counter()
    let failed = Counter()
    let mismatched = Counter()
}

@Suite("Soak")
struct SoakTests {
    /// Seconds of load: `PROTOSOCKET_SOAK_SECONDS`, else 3 (what CI runs;
    /// `scripts/soak.sh` runs 60).
    static let seconds = ProcessInfo.processInfo.environment["PROTOSOCKET_SOAK_SECONDS"].flatMap(Int.init) ?? 3

    @Test("unary and streaming callers, a random 10% cancelled: every call is accounted for and every answer matches")
    func nothingLost() async throws {
        let fixture = try await HostileFixture.start()
        let client = fixture.bystander
        let tally = SoakTally()
        let deadline = ContinuousClock.now + .seconds(SoakTests.seconds)
        try await withHangGuard(seconds: SoakTests.seconds + 120) {
            await withTaskGroup(of: Void.self) { group in
                for caller in 0..<32 {
                    group.addTask {
                        var generator = SeededGenerator(seed: UInt64(caller))
                        var call = 0
                        while ContinuousClock.now < deadline {
                            call += 1
                            await SoakTests.oneCall(
                                client: client,
                                message: "caller \(caller) call \(call)",
                                stream: Bool.random(using: &generator),
                                cancel: Int.random(in: 0..<10, using: &generator) == 0,
                                tally: tally
                            )
                        }
                    }
                }
            }
        }
        let accounted = tally.completed.value + tally.cancelled.value + tally.failed.value
        print("soak: \(SoakTests.seconds) s, sent \(tally.sent.value), completed \(tally.completed.value), cancelled \(tally.cancelled.value), failed \(tally.failed.value), mismatched \(tally.mismatched.value)")
        #expect(tally.sent.value > 0)
        #expect(tally.sent.value == accounted)
        #expect(tally.mismatched.value == 0)
        #expect(tally.failed.value == 0)
        // Nothing is left running on the server once the callers are done.
        try await fixture.expectServing()
        await fixture.close()
    }

    /// One call, in a task of its own so that it can be cancelled; counts its fate.
    static func oneCall(client: EchoClient, message: String, stream: Bool, cancel: Bool, tally: SoakTally) async {
        tally.sent.increment()
        let call = Task { () async throws -> Bool in
            if stream {
                var received = ""
                for try await response in client.streaming(echoRequest(message, stream: true)) {
                    received += response.stream.message
                }
                return received == message
            }
            return try await client.unary(echoRequest(message)).echo.message == message
        }
        if cancel {
            await Task.yield()
            call.cancel()
        }
        switch await call.result {
        case .success(let matches):
            tally.completed.increment()
            if !matches {
                tally.mismatched.increment()
            }
        case .failure(let error) where error is CancellationError:
            tally.cancelled.increment()
        case .failure:
            tally.failed.increment()
        }
    }
}
