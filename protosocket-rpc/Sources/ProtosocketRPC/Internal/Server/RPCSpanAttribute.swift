/// Attribute names and outcomes of RPC spans.
@usableFromInline
enum RPCSpanAttribute {
    @usableFromInline static let system = "rpc.system"
    @usableFromInline static let peer = "network.peer.address"
    @usableFromInline static let messageID = "rpc.protosocket.message_id"
    @usableFromInline static let callKind = "rpc.protosocket.call_kind"
    @usableFromInline static let outcome = "rpc.protosocket.outcome"
}
