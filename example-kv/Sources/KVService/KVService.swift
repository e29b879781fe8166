import KLock
import NIOCore
import ProtosocketRPC

/// The entries, shared by every connection.
public final class KVStore: Sendable {
    private let entries = KLock<[String: String]>([:])

    public init() {}

    func get(_ key: String) -> String? {
        entries.withLock { $0[key] }
    }

    func put(_ key: String, _ value: String) {
        entries.withLock { $0[key] = value }
    }

    func delete(_ key: String) {
        entries.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// The entries under `prefix`, in key order, as they are now.
    func scan(_ prefix: String) -> [(key: String, value: String)] {
        entries.withLock { entries in entries.filter { $0.key.hasPrefix(prefix) } }
            .sorted { $0.key < $1.key }
    }
}

/// The key-value service: for each connection, a length-prefixed codec and a
/// responder over the shared store.
public struct KVService: RPCResponderFactory {
    public let store: KVStore

    public init(store: KVStore = KVStore()) {
        self.store = store
    }

    public func makeCodec() -> LengthPrefixedCodec<KVRequest, KVResponse> {
        LengthPrefixedCodec()
    }

    public func makeResponder(context: RPCConnectionContext) -> KVResponder {
        KVResponder(store: store)
    }
}

/// Answers one connection's requests. Every answer is available at once: unary
/// answers are immediate, and a scan is a connection-driven stream over a
/// snapshot, pulled as the connection has room to send. No task is involved.
public struct KVResponder: RPCResponder {
    let store: KVStore

    public mutating func answer(_ request: KVRequestMessage) -> RPCAnswer<KVResponseMessage> {
        guard let payload = request.payload else {
            return .cancelled
        }
        switch payload {
        case .get(let key):
            return .response(RPCEnvelope(.value(store.get(key))))
        case .put(let key, let value):
            store.put(key, value)
            return .response(RPCEnvelope(.done))
        case .delete(let key):
            store.delete(key)
            return .response(RPCEnvelope(.done))
        case .scan(let prefix):
            return .stream(store.scan(prefix).lazy.map { RPCEnvelope(.entry(key: $0.key, value: $0.value)) })
        }
    }
}
