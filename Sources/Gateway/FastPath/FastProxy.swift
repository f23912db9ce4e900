import Foundation
import HTTPTypes
import Logging
import NIOCore
import ServiceKit
import Synchronization

/// The gateway's event-loop proxy: the common request — a GET or HEAD under `/api/v1/<service>/` from a caller
/// whose token or key the gateway has already verified, within its rate limit — is forwarded by channel handlers
/// on the connection's own event loop, over keep-alive upstream connections of that loop, without a hop to the
/// Swift concurrency pool. Everything else (first sight of a token, refusals, bodies, the gateway's own routes)
/// takes the router path, which has the same semantics and is what the fast path falls back to.
///
/// Both paths share one implementation of each rule: the access policy and rate-limit keys of
/// ``EdgeAuthMiddleware``, the balancing, circuit breaking, outlier ejection and retry budget of ``UpstreamPool``,
/// the identity headers and internal credential, the problem format, the request metrics and the access log.
final class FastProxy: Sendable {
    let pool: UpstreamPool
    let edge: EdgeAuthMiddleware
    let credential: InternalCredential?
    let metrics: HTTPMetrics
    let routing: RoutingMetrics
    /// The same retry rules as the router path's ``UpstreamCaller`` (a request through either path is retried alike).
    let retry: RetryPolicy
    let defaultTimeout: Duration
    let maxTimeout: Duration
    let logger: Logger
    /// Whether each proxied request is logged (the level is fixed when the gateway starts).
    let logsRequests: Bool
    /// Whether anonymous reads have a rate limit (the policy is fixed when the gateway starts): when they have
    /// none, an anonymous GET or HEAD skips the limiter altogether.
    let limitsAnonymousReads: Bool
    private let connections = Mutex<[ObjectIdentifier: UpstreamConnections]>([:])

    init(pool: UpstreamPool, edge: EdgeAuthMiddleware, credential: InternalCredential?, metrics: HTTPMetrics, routing: RoutingMetrics,
         budget: RetryBudget, defaultTimeout: Duration, maxTimeout: Duration, logger: Logger) {
        self.pool = pool
        self.edge = edge
        self.credential = credential
        self.metrics = metrics
        self.routing = routing
        self.retry = RetryPolicy(budget: budget, metrics: routing)
        self.defaultTimeout = defaultTimeout
        self.maxTimeout = maxTimeout
        self.logger = logger
        self.logsRequests = logger.logLevel <= .info
        self.limitsAnonymousReads = edge.rateLimits.quota(role: "anonymous", routeClass: RateLimitPolicy.routeClass(method: "GET", path: "/api/")) != nil
    }

    /// The upstream connections of `loop` (made once per loop; only ever used on it).
    func connections(for loop: any EventLoop) -> UpstreamConnections {
        connections.withLock { table in
            let key = ObjectIdentifier(loop)
            if let found = table[key] { return found }
            let made = UpstreamConnections(loop: loop)
            table[key] = made
            return made
        }
    }

    /// What to do with a request head.
    enum Decision {
        /// The router path decides (and answers any refusal).
        case router
        /// Answer at once (an unknown service, no live instance) — the request has been counted already.
        case problem(Problem, requestID: String, rateHeaders: [HTTPField])
        case proxy(Plan)
    }

    /// One proxied request (a class: the exchange reads it many times, and a copy of this many fields is not free).
    final class Plan {
        /// The service, and what this loop keeps of it.
        let slot: ServiceSlot
        var service: String { slot.name }
        let instance: UpstreamPool.Instance
        let method: HTTPRequest.Method
        /// The client's request head, as received, and where its header lines are.
        let head: Wire.RequestHead
        let headBytes: ByteBuffer
        let identity: ForwardedIdentity?
        let requestID: String
        let trace: TraceContext
        let rateHeaders: [HTTPField]
        let deadline: NIODeadline
        let start: ContinuousClock.Instant

        init(slot: ServiceSlot, instance: UpstreamPool.Instance, method: HTTPRequest.Method, head: Wire.RequestHead, headBytes: ByteBuffer,
             identity: ForwardedIdentity?, requestID: String, trace: TraceContext, rateHeaders: [HTTPField], deadline: NIODeadline,
             start: ContinuousClock.Instant) {
            self.slot = slot
            self.instance = instance
            self.method = method
            self.head = head
            self.headBytes = headBytes
            self.identity = identity
            self.requestID = requestID
            self.trace = trace
            self.rateHeaders = rateHeaders
            self.deadline = deadline
            self.start = start
        }
    }

    static let prefix = "/api/v1/"

    /// Decides on a bodiless GET or HEAD that the wire parser read (anything else is the router's).
    func decide(_ head: consuming Wire.RequestHead, bytes: ByteBuffer, remote: String?, on loop: UpstreamConnections) -> Decision {
        guard !head.needsRouter, head.target.utf8.starts(with: Self.prefix.utf8) else { return .router }
        // The path and the service's name, found on the UTF-8 bytes (all ASCII here: the parser takes visible
        // ASCII targets only), not by walking characters.
        let target = head.target
        let path = head.pathLength == target.utf8.count ? target : String(Substring(target.utf8.prefix(head.pathLength)))
        let afterPrefix = path.utf8.dropFirst(Self.prefix.utf8.count)
        let service = String(Substring(afterPrefix.prefix { $0 != UInt8(ascii: "/") }))
        guard !service.isEmpty, service != "gateway" else { return .router }
        let method: HTTPRequest.Method = head.isHead ? .head : .get
        let slot = loop.slot(for: service)

        let requirement = slot.requirement(isHead: head.isHead, path: path, generation: edge.access.generation) {
            edge.requirement(method: method.rawValue, path: path, service: service)
        }
        var identity: ForwardedIdentity?
        if head.otherAuthorization != nil {
            return .router
        } else if let token = head.bearerToken {
            guard let known = edge.authenticator.verifier.cachedIdentity(for: token) else { return .router }
            identity = known
        } else if let key = head.apiKey {
            guard let known = edge.authenticator.cachedAPIKeyIdentity(key) else { return .router }
            identity = known
        }
        // The principal is read where it lives (a copy of it would retain each of its strings).
        switch requirement {
        case .open?: break
        case .authenticated?: guard identity != nil else { return .router }
        case .scope(let scope)?: guard identity?.principal.has(scope: scope) == true else { return .router }
        case nil: guard identity?.principal.has(scope: Scope.admin) == true else { return .router }
        }
        var rateHeaders: [HTTPField] = []
        if identity != nil || limitsAnonymousReads,
           let outcome = edge.checkRate(principal: identity?.principal, remote: remote, method: method.rawValue, path: path, keys: identity?.rateKeys) {
            // A refusal counts nothing, so the router path can refuse it again with the full problem.
            guard outcome.decision.allowed else { return .router }
            rateHeaders = outcome.headers
        }
        let requestID = head.requestID.flatMap(RequestIdentityMiddleware.acceptable) ?? IdentifierSource.requestID()
        retry.admit()
        switch pool.pick(service) {
        case .unknownService:
            return .problem(.notFound("No service named \(service) is known to the gateway."), requestID: requestID, rateHeaders: rateHeaders)
        case .noHealthyInstance:
            return .problem(.serviceUnavailable("Service \(service) has no healthy instance right now.", retryAfterSeconds: 2),
                            requestID: requestID, rateHeaders: rateHeaders)
        case .instance(let instance):
            let timeout = head.timeout.flatMap(Int.init).map { min(.milliseconds(max(1, $0)), maxTimeout) } ?? defaultTimeout
            let trace = TraceContext.continuing(head.traceparent)
            let start = ContinuousClock.now
            return .proxy(Plan(slot: slot, instance: instance, method: method, head: consume head, headBytes: bytes, identity: identity,
                               requestID: requestID, trace: trace, rateHeaders: rateHeaders,
                               deadline: .now() + .nanoseconds(Int64(timeout.inSeconds * 1e9)), start: start))
        }
    }

    /// Writes the request sent to an instance at `base`: the client's head with its header lines copied as they came,
    /// minus hop-by-hop and gateway-owned ones, plus forwarding headers, request id, trace, time left, the caller's
    /// identity and the internal credential.
    func writeUpstreamRequest(_ plan: Plan, to endpoint: UpstreamConnections.Endpoint, remote: String?, into out: inout ByteBuffer) {
        // The endpoint's parts are read where they live (a copy of its URL parts would retain each string).
        out.writeJoined(plan.method.rawValue, " ", endpoint.base.path, plan.head.target, " HTTP/1.1\r\n", endpoint.base.hostLine)
        var hasProto = false
        var hasForwardedHost = false
        plan.headBytes.withUnsafeReadableBytes { bytes in
            Wire.copyLines(bytes, plan.head.fields, into: &out) { field in
                guard Wire.forwardsRequestField(bytes, field) else { return false }
                let length = field.nameEnd - field.nameStart
                if length == 17, Wire.name(bytes, field.nameStart, field.nameEnd, is: "x-forwarded-proto") { hasProto = true }
                if length == 16, Wire.name(bytes, field.nameStart, field.nameEnd, is: "x-forwarded-host") { hasForwardedHost = true }
                return true
            }
        }
        if let remote {
            if let forwarded = plan.head.forwardedFor {
                out.writeJoined("X-Forwarded-For: ", forwarded, ", ", remote, "\r\n")
            } else {
                out.writeJoined("X-Forwarded-For: ", remote, "\r\n")
            }
        } else if let forwarded = plan.head.forwardedFor {
            out.writeJoined("X-Forwarded-For: ", forwarded, "\r\n")
        }
        if !hasProto { out.writeStaticString("X-Forwarded-Proto: http\r\n") }
        if !hasForwardedHost, let host = plan.head.host { out.writeJoined("X-Forwarded-Host: ", host, "\r\n") }
        out.writeJoined("X-Request-ID: ", plan.requestID, "\r\ntraceparent: ", plan.trace.traceparent, "\r\n")
        let remaining = plan.deadline - .now()
        out.writeJoined(UpstreamCaller.timeoutHeader, ": ", String(max(1, remaining.nanoseconds / 1_000_000)), "\r\n")
        if let identity = plan.identity {
            out.writeString(identity.headerLines)
        }
        if let credential {
            let token = credential.token(method: plan.method.rawValue, target: plan.head.target, identity: plan.identity?.signedText ?? "")
            out.writeJoined(InternalCredential.headerName, ": ", token, "\r\n")
        }
        out.writeStaticString("\r\n")
    }
}

/// `http://host:port[/base]` split without Foundation's URL parser (which is slow on a per-request path).
struct URLComponentsLite {
    let host: String
    let port: Int
    /// A base path the instance is mounted under (empty for registered instances, which may not have one).
    let path: String
    /// `host:port`, which keys a loop's idle connections.
    let key: String
    /// `Host: host:port` and its line end, as sent upstream.
    let hostLine: String

    static func key(host: String, port: Int) -> String { "\(host):\(port)" }

    init?(_ url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let afterScheme = url.dropFirst(7)
        let rest = afterScheme.prefix { $0 != "/" }
        var base = String(afterScheme.dropFirst(rest.count))
        while base.hasSuffix("/") { base.removeLast() }
        path = base
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]) else {
            guard !rest.isEmpty else { return nil }
            self.host = String(rest)
            self.port = 80
            self.key = Self.key(host: host, port: port)
            self.hostLine = "Host: \(key)\r\n"
            return
        }
        self.host = String(rest[..<colon])
        self.port = port
        self.key = Self.key(host: host, port: port)
        self.hostLine = "Host: \(key)\r\n"
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let upgrade = HTTPField.Name("Upgrade")!
    static let expect = HTTPField.Name("Expect")!
}
