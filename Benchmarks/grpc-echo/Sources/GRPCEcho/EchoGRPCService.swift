import EchoProto
import GRPCCore

/// The echo service of example-proto, as gRPC methods: the same answers as
/// `EchoService` (unary echo; one response per byte for a stream).
public struct EchoGRPCService: Echo_Echo.SimpleServiceProtocol {
    public init() {}

    public func unary(request: Echo_Request, context: ServerContext) async throws -> Echo_Response {
        .with {
            $0.requestID = request.requestID
            $0.echo = .with {
                $0.message = request.body.message
                $0.nanotime = request.body.nanotime
            }
        }
    }

    public func stream(request: Echo_Request, response: RPCWriter<Echo_Response>, context: ServerContext) async throws {
        let nanotime = request.body.nanotime
        for (index, byte) in request.body.message.utf8.enumerated() {
            try await response.write(.with {
                $0.requestID = request.requestID
                $0.stream = .with {
                    $0.message = String(decoding: [byte], as: UTF8.self)
                    $0.nanotime = nanotime
                    $0.sequence = UInt64(index)
                }
            })
        }
    }
}
