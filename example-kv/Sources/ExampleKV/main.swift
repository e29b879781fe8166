// The key-value service and a client in one process, on 127.0.0.1, written as
// top-level code on purpose: this is where a stream left early is never released
// (top-level variables are globals), so leaving it must cancel it explicitly.
// Exits 0 when every step behaves; 1 (with a message) otherwise.
import Foundation
import KVService
import ProtosocketRPC
import ProtosocketServer

/// Runs `body`, failing the example if it takes longer than `seconds`.
func within<T: Sendable>(
    seconds: Int,
    _ what: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let result = try await group.next(), let value = result else {
            print("FAILED: \(what) did not finish within \(seconds) s")
            exit(1)
        }
        return value
    }
}

func check(_ condition: Bool, _ what: String) {
    if !condition {
        print("FAILED: \(what)")
        exit(1)
    }
    print("ok: \(what)")
}

let server = try await RPCServer.bind(
    configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
    responders: KVService()
)
async let serving: Void = server.run()

// A small stream buffer, so that a stream left unread fills it quickly: the
// connection then stops reading until the stream is cancelled.
let client = try await KVClient.connect(host: "127.0.0.1", port: server.localAddress?.port ?? 0, streamBufferLimit: 64) {
    KVClientCodec()
}

// Unary calls.
for index in 0..<5_000 {
    _ = try await client.unary(RPCEnvelope(.put(key: String(format: "bulk-%05d", index), value: "value \(index)")))
}
_ = try await client.unary(RPCEnvelope(.put(key: "color", value: "green")))
check(try await client.unary(RPCEnvelope(.get(key: "color"))).payload == .value("green"), "put then get")
_ = try await client.unary(RPCEnvelope(.delete(key: "color")))
check(try await client.unary(RPCEnvelope(.get(key: "color"))).payload == .value(nil), "delete then get")

// A scan left after 10 of its 5,000 entries, the scoped way: the stream is
// cancelled when the closure returns.
let firstTen = try await client.withStreaming(RPCEnvelope(.scan(prefix: "bulk-"))) { stream in
    var keys: [String] = []
    for try await response in stream {
        if case .entry(let key, _)? = response.payload {
            keys.append(key)
        }
        if keys.count == 10 {
            break
        }
    }
    return keys
}
check(firstTen == (0..<10).map { String(format: "bulk-%05d", $0) }, "the first 10 entries of a scan, in order")
let afterScoped = try await within(seconds: 10, "a get after leaving a scan with withStreaming") {
    try await client.unary(RPCEnvelope(.get(key: "bulk-00042")))
}
check(afterScoped.payload == .value("value 42"), "a get on the same connection after leaving a scan (withStreaming)")

// The same with the plain form in top-level code: `break` alone would leave the
// stream running (the global `stream` is never released), so cancel it.
let stream = client.streaming(RPCEnvelope(.scan(prefix: "bulk-")))
var seen = 0
for try await _ in stream {
    seen += 1
    if seen == 10 {
        break
    }
}
stream.cancel()
let afterPlain = try await within(seconds: 10, "a get after leaving a scan with break and cancel()") {
    try await client.unary(RPCEnvelope(.get(key: "bulk-04999")))
}
check(afterPlain.payload == .value("value 4999"), "a get on the same connection after break + cancel()")

// Asking for the wrong kind of call fails at once, before anything is sent.
do {
    _ = try await client.unary(RPCEnvelope(.scan(prefix: "bulk-")))
    check(false, "unary with a scan request fails")
} catch RPCError.callKindMismatch(requested: .unary, declared: .streaming) {
    check(true, "unary with a scan request fails with callKindMismatch")
}

// A whole scan.
var count = 0
for try await _ in client.streaming(RPCEnvelope(.scan(prefix: "bulk-"))) {
    count += 1
}
check(count == 5_000, "a whole scan: 5,000 entries, then the end")

await client.close()
await server.close()
try await serving
print("example-kv: all steps passed")
