import NIOCore

/// A small free list of outbound buffers that the connection encodes into.
///
/// A buffer is taken back as soon as it has been handed to the channel. NIO keeps
/// its own reference until the bytes are on the socket; `ByteBuffer` is
/// copy-on-write, so when a buffer comes round again its storage is reused if the
/// write has finished (the common case) and replaced by a fresh one if it has not.
/// Rotating over a few buffers gives slow writes time to finish.
@usableFromInline
struct BufferPool {
    @usableFromInline
    var buffers: [ByteBuffer?]
    @usableFromInline
    var next = 0
    @usableFromInline
    let allocator: ByteBufferAllocator
    @usableFromInline
    let initialCapacity: Int

    @inlinable
    init(allocator: ByteBufferAllocator, count: Int = 4, initialCapacity: Int = 16 * 1024) {
        self.allocator = allocator
        self.initialCapacity = initialCapacity
        buffers = (0..<count).map { _ in allocator.buffer(capacity: initialCapacity) }
    }

    /// An empty buffer to encode into.
    @inlinable
    mutating func take() -> ByteBuffer {
        // Move out, leaving no reference of ours behind, so `clear` can reuse storage.
        guard var buffer = buffers[next].take() else {
            return allocator.buffer(capacity: initialCapacity)
        }
        buffer.clear()
        return buffer
    }

    /// Puts `buffer` (just handed to the channel) back into rotation.
    @inlinable
    mutating func recycle(_ buffer: ByteBuffer) {
        buffers[next] = buffer
        next = next + 1 == buffers.count ? 0 : next + 1
    }
}
