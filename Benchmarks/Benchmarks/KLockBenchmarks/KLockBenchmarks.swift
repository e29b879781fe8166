import Benchmark
import BenchmarkSupport
import KLock
import NIOConcurrencyHelpers
import Synchronization

// KLock against Synchronization.Mutex and NIOLock: the same two critical sections
// (an increment; a dictionary update) on 1, 2, 4 and 16 threads.

/// A lock under test, with the two critical sections measured.
protocol BenchLock: Sendable {
    init()
    func increment()
    func updateDictionary(_ key: Int)
}

final class KLockSubject: BenchLock {
    let counter = KLock(0)
    let table = KLock(Dictionary(uniqueKeysWithValues: (0..<1024).map { ($0, 0) }))
    init() {}
    func increment() { counter.withLock { $0 &+= 1 } }
    func updateDictionary(_ key: Int) { table.withLock { $0[key, default: 0] &+= 1 } }
}

final class MutexSubject: BenchLock {
    let counter = Mutex(0)
    let table = Mutex(Dictionary(uniqueKeysWithValues: (0..<1024).map { ($0, 0) }))
    init() {}
    func increment() { counter.withLock { $0 &+= 1 } }
    func updateDictionary(_ key: Int) { table.withLock { $0[key, default: 0] &+= 1 } }
}

final class NIOLockSubject: BenchLock {
    let counter = NIOLockedValueBox(0)
    let table = NIOLockedValueBox(Dictionary(uniqueKeysWithValues: (0..<1024).map { ($0, 0) }))
    init() {}
    func increment() { counter.withLockedValue { $0 &+= 1 } }
    func updateDictionary(_ key: Int) { table.withLockedValue { $0[key, default: 0] &+= 1 } }
}

/// Each iteration lets every thread take the lock as fast as it can until a shared
/// deadline, then reports the total acquisitions per second: a fixed time, not a
/// fixed count, so that every thread of a contended run overlaps the others and a
/// slow lock costs throughput instead of stretching the run.
let window = Duration.milliseconds(50)
let acquisitionsPerSecond = BenchmarkMetric.custom("acquisitions (k/s)", polarity: .prefersLarger, useScalingFactor: false)

func register<Subject: BenchLock>(_ name: String, _: Subject.Type, gang: ThreadGang) {
    let configuration = Benchmark.Configuration(
        metrics: [acquisitionsPerSecond],
        maxDuration: .seconds(2),
        maxIterations: 20
    )
    Benchmark("\(name) increment, \(gang.count) threads", configuration: configuration) { benchmark in
        await measure(benchmark, gang, Subject(), section: .increment)
    }
    Benchmark("\(name) dictionary, \(gang.count) threads", configuration: configuration) { benchmark in
        await measure(benchmark, gang, Subject(), section: .dictionary)
    }
}

enum Section {
    case increment
    case dictionary
}

/// Runs the critical section on every thread until the window closes and records
/// the rate. Generic, so each lock's calls are direct and inlined alike.
func measure<Subject: BenchLock>(_ benchmark: Benchmark, _ gang: ThreadGang, _ subject: Subject, section: Section) async {
    let total = Atomic<Int>(0)
    let clock = ContinuousClock()
    let deadline = clock.now + window
    await gang.run { thread in
        var count = 0
        var key = thread &* 7919
        repeat {
            for _ in 0..<256 {
                key = key &* 1_103_515_245 &+ 12345
                switch section {
                case .increment: subject.increment()
                case .dictionary: subject.updateDictionary((key >> 8) & 1023)
                }
            }
            count += 256
        } while clock.now < deadline
        total.add(count, ordering: .relaxed)
    }
    let elapsed = clock.now - (deadline - window)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    benchmark.measurement(acquisitionsPerSecond, Int(Double(total.load(ordering: .relaxed)) / seconds / 1000))
}

let benchmarks: @Sendable () -> Void = {
    for threads in [1, 2, 4, 16] {
        let gang = ThreadGang(count: threads)
        register("KLock", KLockSubject.self, gang: gang)
        register("Mutex", MutexSubject.self, gang: gang)
        register("NIOLock", NIOLockSubject.self, gang: gang)
    }
}
