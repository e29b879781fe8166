import NIOCore
import Protosocket
import ProtosocketClient
import ProtosocketServer
import Spillway
import Testing
import TestSupport

@Suite("Line echo over loopback")
struct EchoTests {
    @Test("binding to port 0 reports the real port, and a client can use it")
    func bindsToPortZero() async throws {
        let server = try await bindEchoServer()
        let port = try #require(server.localAddress?.port)
        #expect(port != 0)
        let client = try await LineClient.connect(to: server.localAddress)
        try client.connection.sender.send("hello")
        let echoed = try await withHangGuard { await client.receive(1) }
        #expect(echoed == ["hello"])
        await client.connection.close()
        await server.close()
    }

    @Test("a client that only writes from pollOutbound as soon as it connects gets its echoes")
    func producesOnConnect() async throws {
        // Nothing goes through the client's sender: the first turn after the
        // connection becomes active must poll the reactor and start reading.
        let server = try await bindEchoServer()
        let lines = (0..<10).map { "produced \($0)" }
        let client = try await LineClient.connect(to: server.localAddress, producing: lines)
        #expect(try await withHangGuard { await client.receive(10) } == lines)
        await client.connection.close()
        await server.close()
    }

    @Test("100 concurrent clients x 100 lines each are all echoed, in order")
    func hundredClients() async throws {
        let server = try await bindEchoServer()
        let address = server.localAddress
        try await withHangGuard {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for clientIndex in 0..<100 {
                    group.addTask {
                        let client = try await LineClient.connect(to: address)
                        let lines = (0..<100).map { "client \(clientIndex) line \($0)" }
                        try client.connection.sender.send(contentsOf: lines)
                        let echoed = await client.receive(100)
                        await client.connection.close()
                        return echoed == lines
                    }
                }
                var allEchoed = 0
                for try await ok in group where ok {
                    allEchoed += 1
                }
                #expect(allEchoed == 100)
            }
        }
        await server.close()
    }

    @Test("8 threads x 10,000 messages through cloned senders all arrive, each thread's in order")
    func clonedSendersFromThreads() async throws {
        let server = try await bindEchoServer()
        let client = try await LineClient.connect(to: server.localAddress)
        let base = client.connection.sender
        await runOnThreads(8) { thread in
            let sender = base.makeSender()
            for index in 0..<10_000 {
                try? sender.send("\(thread) \(index)")
            }
        }
        let received = try await withHangGuard { await client.receive(80_000) }
        var next = [Int](repeating: 0, count: 8)
        var outOfOrder = 0
        for line in received {
            let parts = line.split(separator: " ").compactMap { Int($0) }
            guard parts.count == 2 else { continue }
            if parts[1] != next[parts[0]] { outOfOrder += 1 }
            next[parts[0]] = parts[1] + 1
        }
        #expect(received.count == 80_000)
        #expect(outOfOrder == 0)
        #expect(next == [Int](repeating: 10_000, count: 8))
        await client.connection.close()
        await server.close()
    }
}
