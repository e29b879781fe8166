/// How an ``RPCClientPool`` spreads calls that have no key over its endpoints.
public enum LoadBalancing: Sendable, Hashable {
    /// The endpoints in turn, in runs of 32 calls (consecutive calls share a
    /// connection's writes). Every endpoint gets an equal share, however slow it
    /// is.
    case roundRobin
    /// Per call, two connections drawn at random, and the one with fewer
    /// ``RPCClient/pendingCalls`` takes it: a slow or overloaded server, whose
    /// calls pile up, gets fewer new ones.
    case powerOfTwoChoices
}
