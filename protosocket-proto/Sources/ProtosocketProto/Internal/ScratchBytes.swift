import NIOPosix
import SwiftProtobuf

/// Bytes that swift-protobuf serializes a message into: a view of the calling
/// thread's scratch memory, so that encoding allocates nothing per message.
///
/// Only ``ProtobufCodec/encode(_:into:)`` uses it, within one synchronous call: a
/// second `ScratchBytes` made on the same thread reuses the memory of the first.
@usableFromInline
struct ScratchBytes: SwiftProtobufContiguousBytes {
    @usableFromInline
    let start: UnsafeMutableRawPointer
    @usableFromInline
    let count: Int

    @inlinable
    init(repeating value: UInt8, count: Int) {
        start = ScratchMemory.current.reserve(count)
        start.initializeMemory(as: UInt8.self, repeating: value, count: count)
        self.count = count
    }

    @inlinable
    init<S: Sequence>(_ sequence: S) where S.Element == UInt8 {
        let bytes = Array(sequence)
        self.init(repeating: 0, count: bytes.count)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress {
                start.copyMemory(from: base, byteCount: source.count)
            }
        }
    }

    @inlinable
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    @inlinable
    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: start, count: count))
    }
}

/// One thread's scratch memory: grows to the largest message serialized, and
/// shrinks back after one larger than ``retainedCapacity``.
// @unchecked Sendable: each instance lives in a thread-specific variable and is
// only ever touched by the thread it belongs to, one call at a time; so its
// properties also skip the runtime's exclusivity check.
@usableFromInline
final class ScratchMemory: @unchecked Sendable {
    /// The most memory a thread keeps between messages.
    @usableFromInline
    static let retainedCapacity = 64 * 1024

    private static let perThread = ThreadSpecificVariable<ScratchMemory>()

    /// The calling thread's scratch memory.
    @usableFromInline
    static var current: ScratchMemory {
        if let memory = perThread.currentValue {
            return memory
        }
        let memory = ScratchMemory()
        perThread.currentValue = memory
        return memory
    }

    @exclusivity(unchecked) private var start: UnsafeMutableRawPointer
    @exclusivity(unchecked) private var capacity: Int

    private init() {
        capacity = 4 * 1024
        start = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        start.deallocate()
    }

    /// Memory for `count` bytes, valid until the next call on this thread.
    @usableFromInline
    func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        if count > capacity {
            resize(to: count)
        }
        return start
    }

    /// Gives back memory grown for an unusually large message.
    @usableFromInline
    func trim() {
        if capacity > ScratchMemory.retainedCapacity {
            resize(to: ScratchMemory.retainedCapacity)
        }
    }

    private func resize(to newCapacity: Int) {
        start.deallocate()
        capacity = newCapacity
        start = .allocate(byteCount: newCapacity, alignment: 16)
    }
}
