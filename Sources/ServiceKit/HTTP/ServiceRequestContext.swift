import Hummingbird
import Logging

/// The request context of every Bourse service: Hummingbird's core storage plus the request id, the W3C
/// trace context and the body limit, all set by ServiceKit's middleware before a route runs.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `X-Request-ID` as received, or a new one; echoed on the response and in every log line.
    public var requestID: String
    /// The trace this request belongs to (continued from `traceparent` or started here).
    public var trace: TraceContext
    /// Largest body a route may collect; `request.decode` and `collect(upTo:)` answer 413 past it.
    public var maxUploadSize: Int
    /// When the caller stops waiting (from `X-Bourse-Timeout-Ms`); pass it on to calls this request makes.
    public var deadline: ContinuousClock.Instant?
    /// Who the request acts for, from the identity headers the gateway signed; `nil` for calls from peer
    /// services and probes. Routes that own per-user resources check it.
    public var principal: Principal?
    /// The remote peer, as seen by the server socket.
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        // Set for real by RequestIdentityMiddleware, the first middleware of every service.
        self.trace = TraceContext(traceID: "", spanID: "", parentSpanID: nil, flags: "00")
        self.maxUploadSize = 10 * 1024 * 1024
        self.deadline = nil
        self.principal = nil
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}
