import NIOCore
import ProtosocketRPC
import ProtosocketServer
import Testing

// The code of the DocC article "Writing a service"
// (protosocket-rpc/Sources/ProtosocketRPC/ProtosocketRPC.docc/WritingAService.md).
// Each region between `// snippet:` and `// end snippet` is one of the article's
// code blocks, character for character: `scripts/doc-snippets.py` checks it in CI.

// snippet: messages
/// A request of the word service.
enum WordRequest: RPCPayload {
    case shout(String)
    case define(String)
    case spell(String)
    case countdown(from: Int)

    /// Declared, so that `unary` with a streaming request fails before it is sent.
    var callKind: RPCCallKind? {
        switch self {
        case .shout, .define: .unary
        case .spell, .countdown: .streaming
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .shout(let word): buffer.writeInteger(UInt8(1)); buffer.writeString(word)
        case .define(let word): buffer.writeInteger(UInt8(2)); buffer.writeString(word)
        case .spell(let word): buffer.writeInteger(UInt8(3)); buffer.writeString(word)
        case .countdown(let start): buffer.writeInteger(UInt8(4)); buffer.writeInteger(Int64(start))
        }
    }

    init(decoding buffer: inout ByteBuffer) throws {
        let tag = buffer.readInteger(as: UInt8.self)
        if tag == 4, let start = buffer.readInteger(as: Int64.self) {
            self = .countdown(from: Int(start))
            return
        }
        let word = buffer.readString(length: buffer.readableBytes) ?? ""
        switch tag {
        case 1: self = .shout(word)
        case 2: self = .define(word)
        case 3: self = .spell(word)
        default: throw WordError.unknownRequest
        }
    }
}

/// Every response of the word service: one piece of text.
struct Word: RPCPayload {
    var text: String

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeString(text)
    }

    init(decoding buffer: inout ByteBuffer) throws {
        text = buffer.readString(length: buffer.readableBytes) ?? ""
    }

    init(_ text: String) {
        self.text = text
    }
}

enum WordError: Error {
    case unknownRequest
}
// end snippet

// snippet: service
/// Shared by every connection; looking a word up awaits.
actor Definitions {
    private let entries = ["swift": "moving with great speed"]

    func lookUp(_ word: String) -> String {
        entries[word] ?? "?"
    }
}

struct WordService: RPCResponderFactory {
    let definitions: Definitions

    func makeCodec() -> LengthPrefixedCodec<WordRequest, Word> {
        LengthPrefixedCodec()
    }

    func makeResponder(context: RPCConnectionContext) -> WordResponder {
        WordResponder(definitions: definitions)
    }
}

struct WordResponder: RPCResponder {
    let definitions: Definitions

    mutating func answer(_ request: RPCEnvelope<WordRequest>) -> RPCAnswer<RPCEnvelope<Word>> {
        guard let payload = request.payload else {
            return .cancelled
        }
        switch payload {
        case .shout(let word):
            // Known now: sent in this turn.
            return .response(RPCEnvelope(Word(word.uppercased())))
        case .define(let word):
            // Awaits: a task owned by the server's `run()`.
            let definitions = self.definitions
            return .deferred {
                RPCEnvelope(Word(await definitions.lookUp(word)))
            }
        case .spell(let word):
            // Every response is ready: the connection pulls them while it can write.
            return .stream(word.map { RPCEnvelope(Word(String($0))) })
        case .countdown(let start):
            // Each response awaits: a task, suspended while its 64 buffered
            // responses are unsent.
            return .asyncStream(Countdown(remaining: start))
        }
    }
}

/// Counts down to zero, one number per millisecond.
struct Countdown: AsyncSequence, AsyncIteratorProtocol, Sendable {
    var remaining: Int

    mutating func next() async throws -> RPCEnvelope<Word>? {
        guard remaining >= 0 else {
            return nil
        }
        try await Task.sleep(for: .milliseconds(1))
        defer { remaining -= 1 }
        return RPCEnvelope(Word(String(remaining)))
    }

    func makeAsyncIterator() -> Countdown {
        self
    }
}
// end snippet

@Suite("The article \"Writing a service\"")
struct WritingAServiceTests {
    @Test("every call of the article answers as the article says")
    func article() async throws {
        // snippet: serve
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
            responders: WordService(definitions: Definitions()),
            limits: RPCServerLimits(maxRunningRPCsPerConnection: 64, atLimit: .shed)
        )
        async let serving: Void = server.run()
        let port = server.localAddress?.port ?? 0
        // end snippet

        // snippet: call
        let client = try await RPCClient<RPCEnvelope<WordRequest>, RPCEnvelope<Word>>.connect(
            host: "127.0.0.1",
            port: port
        ) {
            LengthPrefixedCodec()
        }

        let loud = try await client.unary(RPCEnvelope(.shout("hello")))
        let meaning = try await client.unary(RPCEnvelope(.define("swift")), timeout: .seconds(30))

        var letters: [String] = []
        for try await letter in client.streaming(RPCEnvelope(.spell("abc"))) {
            letters.append(letter.payload?.text ?? "")
        }

        // Leaving a stream early: the server is sent `cancel` when the closure returns.
        let firstThree = try await client.withStreaming(RPCEnvelope(.countdown(from: 1_000))) { numbers in
            var seen: [String] = []
            for try await number in numbers {
                seen.append(number.payload?.text ?? "")
                if seen.count == 3 { break }
            }
            return seen
        }
        // end snippet

        #expect(loud.payload?.text == "HELLO")
        #expect(meaning.payload?.text == "moving with great speed")
        #expect(letters == ["a", "b", "c"])
        #expect(firstThree == ["1000", "999", "998"])

        // A unary call with a streaming request fails before anything is sent.
        await #expect(throws: RPCError.callKindMismatch(requested: .unary, declared: .streaming)) {
            _ = try await client.unary(RPCEnvelope(.spell("abc")))
        }

        // snippet: pool
        let pool = RPCConnectionPool(size: 4) {
            try await RPCClient<RPCEnvelope<WordRequest>, RPCEnvelope<Word>>.connect(
                host: "127.0.0.1",
                port: port
            ) {
                LengthPrefixedCodec()
            }
        }
        // The same key, the same connection: its calls stay in order.
        let answer = try await pool.client(forKey: "user-42").unary(RPCEnvelope(.shout("pooled")))
        // end snippet
        #expect(answer.payload?.text == "POOLED")
        #expect(pool.slotIndex(forKey: "user-42") == pool.slotIndex(forKey: "user-42"))

        for slot in 0..<pool.size {
            await (try? pool.client(atSlot: slot))?.close()
        }
        await client.close()
        await server.close()
        try await serving
    }
}
