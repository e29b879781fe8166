import EchoProto
import ProtosocketRPC
import Testing
import TestSupport

@Suite("RPC connection pool")
struct PoolTests {
    struct ConnectFailed: Error, Equatable {}

    @Test("slots connect lazily, and concurrent getters share one in-flight connect")
    func lazyAndShared() async throws {
        let server = try await TestServer.start(EchoService())
        let connects = Counter()
        let pool = RPCConnectionPool<Echo_Request, Echo_Response>(size: 1) {
            connects.increment()
            return try await server.connect()
        }
        #expect(connects.value == 0)
        let clients = try await withThrowingTaskGroup(of: EchoClient.self) { group in
            for _ in 0..<20 {
                group.addTask { try await pool.client() }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(clients.count == 20)
        #expect(connects.value == 1)
        #expect(try await clients[7].unary(echoRequest("pooled")).echo.message == "pooled")
        await clients[0].close()
        await server.close()
    }

    @Test("a dead connection is replaced on the next get")
    func deadConnectionIsReplaced() async throws {
        let server = try await TestServer.start(EchoService())
        let connects = Counter()
        let pool = RPCConnectionPool<Echo_Request, Echo_Response>(size: 1) {
            connects.increment()
            return try await server.connect()
        }
        let first = try await pool.client()
        await first.close()
        #expect(!first.isAlive)
        let second = try await pool.client()
        #expect(connects.value == 2)
        #expect(second.isAlive)
        #expect(try await second.unary(echoRequest("again")).echo.message == "again")
        // A live connection is reused.
        _ = try await pool.client()
        #expect(connects.value == 2)
        await second.close()
        await server.close()
    }

    @Test("a failing connect is thrown to the caller, and the next get tries again")
    func failingConnect() async throws {
        let connects = Counter()
        let pool = RPCConnectionPool<Echo_Request, Echo_Response>(size: 2) {
            connects.increment()
            throw ConnectFailed()
        }
        await #expect(throws: ConnectFailed()) { try await pool.client(atSlot: 0) }
        await #expect(throws: ConnectFailed()) { try await pool.client(atSlot: 0) }
        #expect(connects.value == 2)
    }

    @Test("keys map to stable slots, and a key's slot keeps its connection")
    func stableKeys() async throws {
        let server = try await TestServer.start(EchoService())
        let connects = Counter()
        let pool = RPCConnectionPool<Echo_Request, Echo_Response>(size: 8) {
            connects.increment()
            return try await server.connect()
        }
        for key in ["alpha", "beta", "gamma"] {
            #expect((0..<8).contains(pool.slotIndex(forKey: key)))
        }
        let slots = Set((0..<1_000).map { pool.slotIndex(forKey: $0) })
        #expect(slots.count == 8)

        _ = try await pool.client(forKey: "alpha")
        let afterFirst = connects.value
        for _ in 0..<10 {
            _ = try await pool.client(forKey: "alpha")
        }
        #expect(afterFirst == 1)
        #expect(connects.value == 1)
        await server.close()
    }
}
