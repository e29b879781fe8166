/// How an ``RPCClientPool`` spreads calls that have no key over its endpoints.
public enum LoadBalancing: Sendable, Hashable {
    /// The endpoints in turn, in runs of 128 calls (consecutive calls share a
    /// connection's writes). Every endpoint gets an equal share, however slow it
    /// is.
    case roundRobin
    /// Two connections drawn at random, and the one with fewer
    /// ``RPCClient/pendingCalls`` takes the next calls: a slow or overloaded
    /// server, whose calls pile up, gets fewer new ones. The winner keeps taking
    /// calls, so that consecutive calls share its writes, for up to 128 calls,
    /// and only while no other connection (one drawn per call) has a quarter
    /// fewer pending calls (and more than 2 fewer).
    case powerOfTwoChoices
}
