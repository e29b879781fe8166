import NIOCore
import Protosocket
import Testing
import TestSupport

/// A decoder that answers from a script, one answer per call.
struct ScriptedDecoder: MessageDecoder {
    var answers: [DecodeResult<String>]
    var calls = 0

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<String> {
        calls += 1
        return answers.isEmpty ? .incomplete(totalSize: nil) : answers.removeFirst()
    }
}

/// The framing loop as a value, without a channel.
@Suite("Framing")
struct FramingTests {
    @Test("lines frame one by one; the consumed bytes are gone; an unfinished line needs more")
    func lines() {
        var framing = Framing(maxMessageLength: 100)
        var codec = LineCodec()
        var buffer = ByteBuffer(string: "one\ntwo\nthr")
        var framed: [String] = []
        while case .message(let line) = framing.next(from: &buffer, decoder: &codec) {
            framed.append(line)
        }
        #expect(framed == ["one", "two"])
        #expect(String(buffer: buffer) == "thr")
    }

    @Test("incomplete with a total: the decoder is not called again until that many bytes are buffered")
    func awaitsTotal() {
        var framing = Framing(maxMessageLength: 100)
        var decoder = ScriptedDecoder(answers: [.incomplete(totalSize: 10), .message("m", consumed: 10)])
        var buffer = ByteBuffer(string: "12345")
        guard case .needMore = framing.next(from: &buffer, decoder: &decoder) else {
            Issue.record("needs more")
            return
        }
        buffer.writeString("678")
        guard case .needMore = framing.next(from: &buffer, decoder: &decoder) else {
            Issue.record("still needs more")
            return
        }
        #expect(decoder.calls == 1, "not called before 10 bytes are buffered")
        buffer.writeString("90")
        guard case .message("m") = framing.next(from: &buffer, decoder: &decoder) else {
            Issue.record("the message")
            return
        }
        #expect(buffer.readableBytes == 0)
    }

    @Test("a skip past the buffer is carried over to the next bytes")
    func skipCarriesOver() {
        var framing = Framing(maxMessageLength: 100)
        var decoder = ScriptedDecoder(answers: [.skip(6), .message("after", consumed: 2)])
        var buffer = ByteBuffer(string: "abcd")
        guard case .needMore = framing.next(from: &buffer, decoder: &decoder) else {
            Issue.record("the skip runs past the buffer")
            return
        }
        #expect(buffer.readableBytes == 0)
        buffer.writeString("efXY")
        guard case .message("after") = framing.next(from: &buffer, decoder: &decoder) else {
            Issue.record("the message after the skip")
            return
        }
        #expect(decoder.calls == 2)
    }

    @Test("failures: too large, consumed nothing or too much, incomplete below what is buffered, skip of zero, invalid")
    func failures() {
        let cases: [(DecodeResult<String>, String)] = [
            (.incomplete(totalSize: 101), "next message of 101 bytes exceeds the limit of 100"),
            (.message("x", consumed: 0), "decoder consumed 0 of 4 buffered bytes"),
            (.message("x", consumed: 5), "decoder consumed 5 of 4 buffered bytes"),
            (.incomplete(totalSize: 3), "decoder wants 3 bytes but has 4 and found no message"),
            (.skip(0), "decoder asked to skip 0 bytes"),
            (.invalid(reason: "nonsense"), "invalid message: nonsense"),
        ]
        for (answer, description) in cases {
            var framing = Framing(maxMessageLength: 100)
            var decoder = ScriptedDecoder(answers: [answer])
            var buffer = ByteBuffer(string: "abcd")
            guard case .failed(let reason) = framing.next(from: &buffer, decoder: &decoder) else {
                Issue.record("\(answer) must fail")
                continue
            }
            #expect("\(reason)".contains(description))
        }
    }

    @Test("compact clears an emptied buffer and moves unread bytes once half the capacity is consumed")
    func compact() {
        var empty = ByteBuffer(string: "abc")
        empty.moveReaderIndex(forwardBy: 3)
        Framing.compact(&empty)
        #expect(empty.readerIndex == 0 && empty.writerIndex == 0)
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        buffer.writeString("0123456789abcdef")
        buffer.moveReaderIndex(forwardBy: 10)
        Framing.compact(&buffer)
        #expect(buffer.readerIndex == 0)
        #expect(String(buffer: buffer) == "abcdef")
    }
}
