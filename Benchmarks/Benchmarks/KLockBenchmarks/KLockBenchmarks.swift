import Benchmark
import BenchmarkSupport
import KLock
import NIOConcurrencyHelpers
import Synchronization

// KLock against Synchronization.Mutex and NIOLock: the same critical sections on
// 1, 2, 4 and 16 threads. One iteration is `operations` acquisitions in total,
// split evenly over the threads.

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

let operations = 400_000

func register<Subject: BenchLock>(_ name: String, _: Subject.Type, gang: ThreadGang) {
    let threads = gang.count
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 30
    )
    let perThread = operations / threads
    Benchmark("\(name) increment, \(threads) threads", configuration: configuration) { benchmark in
        let subject = Subject()
        benchmark.startMeasurement()
        await gang.run { _ in
            for _ in 0..<perThread { subject.increment() }
        }
        benchmark.stopMeasurement()
    }
    Benchmark("\(name) dictionary, \(threads) threads", configuration: configuration) { benchmark in
        let subject = Subject()
        benchmark.startMeasurement()
        await gang.run { thread in
            var key = thread &* 7919
            for _ in 0..<perThread {
                key = (key &* 1_103_515_245 &+ 12345) & 1023
                subject.updateDictionary(key)
            }
        }
        benchmark.stopMeasurement()
    }
}

let benchmarks: @Sendable () -> Void = {
    for threads in [1, 2, 4, 16] {
        let gang = ThreadGang(count: threads)
        register("KLock", KLockSubject.self, gang: gang)
        register("Mutex", MutexSubject.self, gang: gang)
        register("NIOLock", NIOLockSubject.self, gang: gang)
    }
}
