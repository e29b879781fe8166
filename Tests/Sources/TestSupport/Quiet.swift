import EchoProto
import Logging

/// A logger for servers and clients under test: only critical messages, so that
/// the closes tests provoke on purpose do not flood the output.
public let quietLogger: Logger = {
    var logger = Logger(label: "protosocket.tests")
    logger.logLevel = .critical
    return logger
}()

/// An echo request for `message`: unary, or streamed one byte per response.
public func echoRequest(_ message: String, stream: Bool = false) -> Echo_Request {
    .with {
        $0.body.message = message
        $0.responseBehavior = stream ? .stream : .unary
    }
}
