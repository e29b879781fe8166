import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Protosocket
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Keeps every log record.
private struct CapturingLogHandler: LogHandler {
    let records: NIOLockedValueBox<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.withLockedValue { $0.append((event.level, "\(event.message)", event.metadata ?? [:])) }
    }
}

@Suite("Close logging")
struct CloseLoggingTests {
    /// The level and reason of the "closing connection" record after `error` is caught.
    func closeRecord(after error: any Error) throws -> (Logger.Level, String)? {
        let records = NIOLockedValueBox<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
        let logger = Logger(label: "test") { _ in CapturingLogHandler(records: records) }
        let channel = EmbeddedChannel()
        let handler = ConnectionHandler<LineCodec, RecordingReactor>.makeHandler(
            codec: LineCodec(),
            configuration: .server,
            logger: logger,
            eventLoop: channel.eventLoop,
            remoteAddress: nil
        ) { _ in RecordingReactor(recorder: Recorder()) }
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.pipeline.fireErrorCaught(error)
        _ = try? channel.finish()
        return records.withLockedValue { records in
            records.first { $0.message == "closing connection" }.map { ($0.level, "\($0.metadata["reason"] ?? "")") }
        }
    }

    @Test("a peer reset is logged at debug, with the reason as metadata")
    func resetIsDebug() throws {
        let record = try closeRecord(after: IOError(errnoCode: ECONNRESET, reason: "read(descriptor:pointer:size:)"))
        #expect(record?.0 == .debug)
        #expect(record?.1 == "the peer reset the connection")
    }

    @Test("another I/O error is logged at info, with the error as the reason")
    func otherErrorIsInfo() throws {
        let record = try closeRecord(after: IOError(errnoCode: EBADF, reason: "write"))
        #expect(record?.0 == .info)
        #expect(record?.1.contains("error") == true)
    }
}
