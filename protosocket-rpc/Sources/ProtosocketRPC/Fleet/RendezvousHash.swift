import ProtosocketClient

/// Rendezvous (highest-random-weight) hashing: every endpoint gets a weight for a
/// key, and the key goes to the endpoint with the highest weight.
///
/// The weight is fixed by this definition, so that every process, on every
/// platform and release, maps a key to the same endpoint:
///
/// 1. `h = FNV-1a-64(utf8(endpoint.description) + [0xFF] + keyBytes)` (offset
///    basis `0xcbf29ce484222325`, prime `0x100000001b3`; `0xFF` never occurs in
///    UTF-8, so the two parts cannot run into each other);
/// 2. `weight = splitmix64-finalizer(h)`: `h ^= h >> 30; h *= 0xbf58476d1ce4e5b9;
///    h ^= h >> 27; h *= 0x94d049bb133111eb; h ^= h >> 31` (wrapping).
///
/// Ties (practically impossible) go to the endpoint whose description sorts first.
/// Removing an endpoint moves only the keys it had; adding one takes keys only
/// for itself.
public enum RendezvousHash {
    /// The weight of `endpoint` for a key.
    public static func weight(of endpoint: Endpoint, forKey key: some Sequence<UInt8>) -> UInt64 {
        weight(prefix: prefix(of: endpoint), forKey: Array(key))
    }

    /// Step 1 up to the key: the same for every key, so a pool computes it once
    /// per endpoint.
    @usableFromInline
    static func prefix(of endpoint: Endpoint) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in endpoint.description.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return (hash ^ 0xFF) &* 0x0000_0100_0000_01b3
    }

    /// The weight for a key, from an endpoint's ``prefix(of:)``. (Concrete, so
    /// that the pool's per-call path is specialized.)
    @inlinable
    static func weight(prefix: UInt64, forKey key: [UInt8]) -> UInt64 {
        var hash = prefix
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return finalize(hash)
    }

    /// Step 2: the splitmix64 finalizer.
    @inlinable
    static func finalize(_ hash: UInt64) -> UInt64 {
        var hash = hash
        hash ^= hash >> 30
        hash = hash &* 0xbf58_476d_1ce4_e5b9
        hash ^= hash >> 27
        hash = hash &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return hash
    }

    /// `endpoints` in order of preference for a key: the highest weight first.
    public static func ranked(_ endpoints: [Endpoint], forKey key: some Sequence<UInt8>) -> [Endpoint] {
        let key = Array(key)
        return endpoints
            .map { (endpoint: $0, weight: weight(of: $0, forKey: key)) }
            .sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.endpoint.description < $1.endpoint.description }
            .map(\.endpoint)
    }
}
