import KLock

/// A fixed number of slots, each holding one shared ``RPCClient`` connection,
/// connected lazily.
///
/// - A slot connects on its first use; everyone who asks for it while that
///   connect is in flight waits for the same connect.
/// - A dead connection (``RPCClient/isAlive`` is `false`) is replaced on the next
///   request for its slot.
/// - A failed connect is thrown to the callers that waited for it and leaves the
///   slot empty; the next request tries again (there is no retry loop).
/// - ``client(forKey:)`` maps a key to a stable slot (for this process);
///   ``client()`` picks a slot at random.
public final class RPCConnectionPool<Request: RPCMessage, Response: RPCMessage>: Sendable {
    private enum Slot {
        case empty
        case connecting(Task<RPCClient<Request, Response>, any Error>)
        case connected(RPCClient<Request, Response>)
    }

    private let slots: [KLock<Slot>]
    private let connect: @Sendable () async throws -> RPCClient<Request, Response>

    /// - Parameters:
    ///   - size: The number of slots (connections), at least 1.
    ///   - connect: Opens one connection; called at most once at a time per slot.
    public init(size: Int, connect: @escaping @Sendable () async throws -> RPCClient<Request, Response>) {
        precondition(size > 0, "a pool needs at least one slot")
        slots = (0..<size).map { _ in KLock(Slot.empty) }
        self.connect = connect
    }

    /// The number of slots.
    public var size: Int { slots.count }

    /// The client of a slot picked at random, connecting it if needed.
    ///
    /// - Throws: The connect's error when the slot had to connect and could not.
    public func client() async throws -> RPCClient<Request, Response> {
        try await client(atSlot: Int.random(in: 0..<slots.count))
    }

    /// The client of the slot `key` maps to, connecting it if needed.
    ///
    /// - Throws: The connect's error when the slot had to connect and could not.
    public func client(forKey key: some Hashable) async throws -> RPCClient<Request, Response> {
        try await client(atSlot: slotIndex(forKey: key))
    }

    /// The slot `key` maps to (stable for the life of the process).
    public func slotIndex(forKey key: some Hashable) -> Int {
        Int(UInt(bitPattern: key.hashValue) % UInt(slots.count))
    }

    /// The client of slot `index`, connecting it if needed.
    public func client(atSlot index: Int) async throws -> RPCClient<Request, Response> {
        let slot = slots[index]
        let connect = self.connect
        let lookup = slot.withLock { slot -> Lookup in
            switch slot {
            case .connected(let client) where client.isAlive:
                return .ready(client)
            case .connecting(let task):
                return .connecting(task)
            case .empty, .connected:
                let task = Task { try await connect() }
                slot = .connecting(task)
                return .connecting(task)
            }
        }
        switch lookup {
        case .ready(let client):
            return client
        case .connecting(let attempt):
            do {
                let client = try await attempt.value
                slot.withLock { slot in
                    if case .connecting(let task) = slot, task == attempt {
                        slot = .connected(client)
                    }
                }
                return client
            } catch {
                slot.withLock { slot in
                    if case .connecting(let task) = slot, task == attempt {
                        slot = .empty
                    }
                }
                throw error
            }
        }
    }

    private enum Lookup {
        case ready(RPCClient<Request, Response>)
        case connecting(Task<RPCClient<Request, Response>, any Error>)
    }
}
