import Synchronization

/// A counter shared between a test and the threads, tasks or handlers it watches.
public final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    /// The count now.
    public var value: Int { count.load(ordering: .relaxed) }

    /// Adds one; returns the new count.
    @discardableResult
    public func increment() -> Int {
        count.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
