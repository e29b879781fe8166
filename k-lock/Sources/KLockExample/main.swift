// The code between `// snippet:` and `// end snippet` is the documentation's
// "Getting started" (`scripts/doc-snippets.py` checks they are the same).
// snippet: example
import Dispatch
import KLock

// Eight threads add to one counter and a shared dictionary under a KLock.
let counter = KLock(0)
let words = KLock([String: Int]())

DispatchQueue.concurrentPerform(iterations: 8) { thread in
    for i in 0..<10_000 {
        counter.withLock { $0 += 1 }
        if i % 1_000 == 0 {
            words.withLock { $0["thread-\(thread)", default: 0] += 1 }
        }
    }
}

print("count:", counter.withLock { $0 })
print("threads seen:", words.withLock { $0.count })
if let value = counter.withLockIfAvailable({ $0 }) {
    print("free again, value \(value)")
}
// end snippet
