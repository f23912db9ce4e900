import Foundation
import NIOHTTP1

/// Who a peer call is made for and within what: the request's user (their rights apply at the peer), deadline,
/// trace and request id. `PeerCaller()` is the service itself (a consumer or a background job).
public struct PeerCaller: Sendable {
    public var principal: Principal?
    public var deadline: ContinuousClock.Instant?
    public var trace: TraceContext?
    public var requestID: String?

    public init(_ context: ServiceRequestContext) {
        (principal, deadline, trace, requestID) = (context.principal, context.deadline, context.trace, context.requestID)
    }

    public init() {}
}

extension PeerClient {
    /// Calls `service` for `caller` (see ``send(_:_:_:json:deadline:trace:requestID:acting:logger:maxResponseBytes:)``).
    public func send(_ service: String, _ method: HTTPMethod, _ path: String, for caller: PeerCaller,
                     maxResponseBytes: Int = 8 << 20, accept: String? = nil) async throws -> ServiceClient.Reply {
        try await send(service, method, path, deadline: caller.deadline, trace: caller.trace, requestID: caller.requestID,
                       acting: caller.principal, maxResponseBytes: maxResponseBytes, accept: accept)
    }

    /// `value` as one path segment: letters, digits and `.-_~=` as they are, everything else percent-encoded.
    public static func pathSegment(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: ".-_~=")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
