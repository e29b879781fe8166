import ProtosocketClient
import ProtosocketRPC
import Testing

@Suite("RendezvousHash and Endpoint")
struct RendezvousHashTests {
    let endpoints = [
        Endpoint.host("127.0.0.1", port: 9000),
        Endpoint.host("127.0.0.2", port: 9000),
        Endpoint.host("127.0.0.3", port: 9000),
    ]

    @Test("the weights are fixed: a table computed once and committed (stable across processes and releases)")
    func fixedTable() {
        #expect(RendezvousHash.weight(of: endpoints[0], forKey: Array("user-42".utf8)) == 0x480e_c14f_9fe6_6453)
        #expect(RendezvousHash.weight(of: endpoints[1], forKey: Array("user-42".utf8)) == 0xbd65_aeed_777e_9a8e)
        #expect(RendezvousHash.weight(of: .unixDomainSocket(path: "/run/kv.sock"), forKey: Array("".utf8)) == 0xbae9_67a4_568b_fe91)
        let owners = (0..<8).map { RendezvousHash.ranked(endpoints, forKey: "key-\($0)".utf8)[0].description }
        // Computed by an independent implementation of the documented definition.
        #expect(owners == [
            "127.0.0.2:9000", "127.0.0.1:9000", "127.0.0.3:9000", "127.0.0.2:9000", "127.0.0.3:9000", "127.0.0.2:9000", "127.0.0.1:9000", "127.0.0.2:9000",
        ])
    }

    @Test("removing an endpoint moves only its keys; the others keep theirs")
    func removalMovesOnlyItsKeys() {
        let keys = (0..<3_000).map { "key-\($0)" }
        let before = keys.map { RendezvousHash.ranked(endpoints, forKey: $0.utf8)[0] }
        let remaining = [endpoints[0], endpoints[2]]
        let after = keys.map { RendezvousHash.ranked(remaining, forKey: $0.utf8)[0] }
        var moved = 0
        for (old, new) in zip(before, after) where old != new {
            #expect(old == endpoints[1])
            moved += 1
        }
        #expect(moved == before.filter { $0 == endpoints[1] }.count)
        // Each endpoint owns a share: no endpoint is starved.
        for endpoint in endpoints {
            #expect(before.filter { $0 == endpoint }.count > 800)
        }
    }

    @Test("endpoints print and parse as host:port, [v6]:port and unix:/path")
    func parsing() {
        #expect(Endpoint(parsing: "127.0.0.1:9000") == .host("127.0.0.1", port: 9000))
        #expect(Endpoint(parsing: "[::1]:9000") == .host("::1", port: 9000))
        #expect(Endpoint(parsing: "unix:/tmp/a.sock") == .unixDomainSocket(path: "/tmp/a.sock"))
        #expect(Endpoint.host("::1", port: 9000).description == "[::1]:9000")
        #expect(Endpoint.unixDomainSocket(path: "/tmp/a.sock").description == "unix:/tmp/a.sock")
        for bad in ["127.0.0.1", ":9000", "host:70000", "::1:9000", "unix:", "host:port"] {
            #expect(Endpoint(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("DNS: localhost resolves to loopback endpoints with the port")
    func dnsLocalhost() async throws {
        let endpoints = try await DNSEndpoints(host: "localhost", port: 9000).resolve()
        #expect(!endpoints.isEmpty)
        for endpoint in endpoints {
            guard case .host(let address, let port) = endpoint.address else {
                Issue.record("not a host endpoint: \(endpoint)")
                continue
            }
            #expect(port == 9000)
            #expect(address == "127.0.0.1" || address == "::1")
        }
        await #expect(throws: DNSResolutionError.self) {
            _ = try await DNSEndpoints(host: "no-such-host.invalid", port: 1).resolve()
        }
    }
}
