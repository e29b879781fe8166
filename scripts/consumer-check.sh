#!/usr/bin/env bash
# The adoptability check (CI runs it): a new package, in a temporary folder, that
# depends on this repository by git URL at a version, the way a user would:
#
#   .package(url: "file://<a clone of this repository>", from: "0.1.0")
#
# It imports ProtosocketRPC and ProtosocketProto, defines its own protobuf-free
# messages, serves one unary and one streaming call over loopback and exits 0.
# The version tag is made in the temporary clone, never in this repository. The
# build log must show no BoringSSL file compiled: a user who does not ask for TLS
# does not build it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git clone -q "$root" "$work/protosocket"
git -C "$work/protosocket" tag 0.1.0

mkdir -p "$work/consumer/Sources/Consumer"
cat > "$work/consumer/Package.swift" <<MANIFEST
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "consumer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "file://$work/protosocket", from: "0.1.0"),
    ],
    targets: [
        .executableTarget(
            name: "Consumer",
            dependencies: [
                .product(name: "ProtosocketRPC", package: "protosocket"),
                .product(name: "ProtosocketProto", package: "protosocket"),
                .product(name: "ProtosocketServer", package: "protosocket"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
MANIFEST

cat > "$work/consumer/Sources/Consumer/main.swift" <<'SWIFT'
import NIOCore
import ProtosocketProto
import ProtosocketRPC
import ProtosocketServer

// A payload of our own: a number, with a one-byte encoding. Asking for
// `count` starts a stream of that many numbers; any other number is doubled.
struct Number: RPCPayload, Equatable {
    var value: UInt8
    var isCount = false

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(isCount ? UInt8(1) : 0)
        buffer.writeInteger(value)
    }

    init(_ value: UInt8, isCount: Bool = false) {
        self.value = value
        self.isCount = isCount
    }

    init(decoding buffer: inout ByteBuffer) throws {
        guard let flag = buffer.readInteger(as: UInt8.self), let value = buffer.readInteger(as: UInt8.self) else {
            throw CancellationError()
        }
        self.init(value, isCount: flag == 1)
    }

    var callKind: RPCCallKind? { isCount ? .streaming : .unary }
}

struct Doubler: RPCResponderFactory {
    func makeCodec() -> LengthPrefixedCodec<Number, Number> { LengthPrefixedCodec() }
    func makeResponder(context: RPCConnectionContext) -> Responder { Responder() }

    struct Responder: RPCResponder {
        mutating func answer(_ request: RPCEnvelope<Number>) -> RPCAnswer<RPCEnvelope<Number>> {
            guard let number = request.payload else { return .cancelled }
            if number.isCount {
                return .stream((0..<number.value).map { RPCEnvelope(Number($0)) })
            }
            return .response(RPCEnvelope(Number(number.value &* 2)))
        }
    }
}

let server = try await RPCServer.bind(configuration: ServerConfiguration(host: "127.0.0.1", port: 0), responders: Doubler())
async let serving: Void = server.run()
let client = try await RPCClient<RPCEnvelope<Number>, RPCEnvelope<Number>>.connect(
    host: "127.0.0.1",
    port: server.localAddress?.port ?? 0
) {
    LengthPrefixedCodec<Number, Number>()
}
let doubled = try await client.unary(RPCEnvelope(Number(21)))
var streamed: [UInt8] = []
for try await item in client.streaming(RPCEnvelope(Number(5, isCount: true))) {
    streamed.append(item.payload?.value ?? 255)
}
await client.close()
await server.close()
try await serving
guard doubled.payload == Number(42), streamed == [0, 1, 2, 3, 4] else {
    print("consumer: unexpected answers: \(String(describing: doubled.payload)) \(streamed)")
    exit(1)
}
print("consumer: unary and streaming calls over loopback work")
SWIFT
# `exit` needs Foundation's or Glibc's declaration.
sed -i '1i #if canImport(Glibc)\nimport Glibc\n#endif' "$work/consumer/Sources/Consumer/main.swift"

cd "$work/consumer"
swift build -v > build.log 2>&1 || { tail -50 build.log; exit 1; }
if grep -qiE "boringssl|CNIOBoringSSL" build.log; then
    echo "consumer-check: the build compiled BoringSSL, which only TLS users should build:"
    grep -iE "boringssl" build.log | head -5
    exit 1
fi
echo "consumer-check: no BoringSSL file compiled"
swift run --skip-build Consumer
