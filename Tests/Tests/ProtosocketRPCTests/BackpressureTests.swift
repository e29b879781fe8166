import EchoProto
import Foundation
import Protosocket
import ProtosocketRPC
import Testing
import TestSupport

@Suite("RPC backpressure")
struct BackpressureTests {
    @Test("a stream of 1,000,000 items to a client that does not consume is suspended within the buffers")
    func unconsumedStreamIsSuspended() async throws {
        let produced = Counter()
        let payload = 1_024
        let limits = RPCServerLimits()
        let server = try await TestServer.start(
            ScriptedService { _ in .asyncStream(CountingStream(count: 1_000_000, payload: payload, produced: produced)) },
            limits: limits
        )
        let clientConfiguration = ConnectionConfiguration.client
        let streamBufferLimit = 1_024
        let client = try await server.connect(streamBufferLimit: streamBufferLimit, configuration: clientConfiguration)
        // Never iterated.
        let stream = client.streaming(echoRequest("flood", stream: true))

        #expect(await eventually { produced.value > 0 })
        let settled = await settle(produced)
        // What can be in flight: the client's stream buffer and receive buffer, both
        // socket buffers, the server's write-buffer high-water mark plus one turn of
        // messages, and the stream's own buffer.
        let socketBytes = maximumSocketBuffer("tcp_rmem") + maximumSocketBuffer("tcp_wmem")
        let bytesInFlight = clientConfiguration.maxBufferLength + socketBytes + 64 * 1_024
        let bound = streamBufferLimit + bytesInFlight / payload
            + ConnectionConfiguration.server.maxQueuedOutboundMessages + limits.streamBufferCapacity
        #expect(settled <= bound, "produced \(settled), bound \(bound)")
        #expect(settled < 1_000_000)
        withExtendedLifetime(stream) {}
        await client.close()
        await server.close()
    }
}

/// Waits until `counter` stops changing (the same value twice, 200 ms apart; at
/// most about 60 s) and returns it.
func settle(_ counter: Counter) async -> Int {
    var last = -1
    for _ in 0..<300 {
        let now = counter.value
        if now == last {
            return now
        }
        last = now
        try? await Task.sleep(for: .milliseconds(200))
    }
    return counter.value
}

/// The largest size the kernel lets a TCP socket buffer grow to (the third field
/// of `/proc/sys/net/ipv4/<name>`), or 16 MiB when it cannot be read.
func maximumSocketBuffer(_ name: String) -> Int {
    guard
        let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/\(name)", encoding: .utf8),
        let last = text.split(whereSeparator: \.isWhitespace).last,
        let value = Int(last)
    else {
        return 16 << 20
    }
    return value
}
