/// The responses of a connection-driven stream, pulled on the event loop.
///
/// A class-bound protocol, so that pulling costs one witness call on the concrete
/// iterator and no existential box beyond the object itself.
@usableFromInline
protocol ResponseSource<Response>: AnyObject {
    associatedtype Response
    /// The next response, or `nil` at the end of the stream.
    func next() -> Response?
}

/// A ``ResponseSource`` over a sequence's iterator.
// Not Sendable: it is made by a responder on the event loop and used only there.
@usableFromInline
final class IteratorSource<Iterator: IteratorProtocol>: ResponseSource {
    // Unchecked exclusivity (the runtime check cost more than a small `next()`):
    // only `next()` touches it, on the event loop, and the iterator it calls has
    // no way back to this object.
    @usableFromInline
    @exclusivity(unchecked) var iterator: Iterator

    @inlinable
    init(_ iterator: Iterator) {
        self.iterator = iterator
    }

    @inlinable
    func next() -> Iterator.Element? {
        iterator.next()
    }
}
