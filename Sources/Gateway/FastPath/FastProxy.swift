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
    let budget: RetryBudget
    let defaultTimeout: Duration
    let maxTimeout: Duration
    let logger: Logger
    let maxAttempts = 3
    private let connections = Mutex<[ObjectIdentifier: UpstreamConnections]>([:])

    init(pool: UpstreamPool, edge: EdgeAuthMiddleware, credential: InternalCredential?, metrics: HTTPMetrics, routing: RoutingMetrics,
         budget: RetryBudget, defaultTimeout: Duration, maxTimeout: Duration, logger: Logger) {
        self.pool = pool
        self.edge = edge
        self.credential = credential
        self.metrics = metrics
        self.routing = routing
        self.budget = budget
        self.defaultTimeout = defaultTimeout
        self.maxTimeout = maxTimeout
        self.logger = logger
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
        let service: String
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

        init(service: String, instance: UpstreamPool.Instance, method: HTTPRequest.Method, head: Wire.RequestHead, headBytes: ByteBuffer,
             identity: ForwardedIdentity?, requestID: String, trace: TraceContext, rateHeaders: [HTTPField], deadline: NIODeadline,
             start: ContinuousClock.Instant) {
            self.service = service
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
    func decide(_ head: Wire.RequestHead, bytes: ByteBuffer, remote: String?) -> Decision {
        guard !head.needsRouter, head.target.hasPrefix(Self.prefix) else { return .router }
        let target = head.target
        let path = target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
        let service = path.dropFirst(Self.prefix.count).prefix { $0 != "/" }
        guard !service.isEmpty, service != "gateway" else { return .router }
        let method: HTTPRequest.Method = head.isHead ? .head : .get

        let requirement = edge.requirement(method: method.rawValue, path: path)
        var identity: ForwardedIdentity?
        if let authorization = head.authorization {
            guard authorization.utf8.count > 7, authorization.utf8.prefix(7).elementsEqual("Bearer ".utf8) || authorization.prefix(7).lowercased() == "bearer ",
                  let known = edge.authenticator.verifier.cachedIdentity(for: String(authorization.dropFirst(7)))
            else { return .router }
            identity = known
        } else if let key = head.apiKey {
            guard let known = edge.authenticator.cachedAPIKeyIdentity(key) else { return .router }
            identity = known
        }
        let principal = identity?.principal
        switch requirement {
        case .open?: break
        case .authenticated?: guard principal != nil else { return .router }
        case .scope(let scope)?: guard principal?.has(scope: scope) == true else { return .router }
        case nil: guard principal?.has(scope: Scope.admin) == true else { return .router }
        }
        var rateHeaders: [HTTPField] = []
        if let outcome = edge.checkRate(principal: principal, remote: remote, method: method.rawValue, path: path, keys: identity?.rateKeys) {
            // A refusal counts nothing, so the router path can refuse it again with the full problem.
            guard outcome.decision.allowed else { return .router }
            rateHeaders = outcome.headers
        }
        let requestID = head.requestID.flatMap(RequestIdentityMiddleware.acceptable) ?? IdentifierSource.requestID()
        budget.deposit()
        switch pool.pick(String(service)) {
        case .unknownService:
            return .problem(.notFound("No service named \(service) is known to the gateway."), requestID: requestID, rateHeaders: rateHeaders)
        case .noHealthyInstance:
            return .problem(.serviceUnavailable("Service \(service) has no healthy instance right now.", retryAfterSeconds: 2),
                            requestID: requestID, rateHeaders: rateHeaders)
        case .instance(let instance):
            let timeout = head.timeout.flatMap(Int.init).map { min(.milliseconds(max(1, $0)), maxTimeout) } ?? defaultTimeout
            return .proxy(Plan(service: String(service), instance: instance, method: method, head: head, headBytes: bytes, identity: identity,
                               requestID: requestID, trace: .continuing(head.traceparent), rateHeaders: rateHeaders,
                               deadline: .now() + .nanoseconds(Int64(timeout.inSeconds * 1e9)), start: .now))
        }
    }

    /// Writes the request sent to an instance at `base`: the client's head with its header lines copied as they came,
    /// minus hop-by-hop and gateway-owned ones, plus forwarding headers, request id, trace, time left, the caller's
    /// identity and the internal credential.
    func writeUpstreamRequest(_ plan: Plan, to base: URLComponentsLite, remote: String?, into out: inout ByteBuffer) {
        let head = plan.head
        out.writeString(plan.method.rawValue)
        out.writeStaticString(" ")
        out.writeString(base.path)
        out.writeString(head.target)
        out.writeStaticString(" HTTP/1.1\r\nHost: ")
        out.writeString(base.host)
        out.writeStaticString(":")
        out.writeString(String(base.port))
        out.writeStaticString("\r\n")
        var hasProto = false
        var hasForwardedHost = false
        plan.headBytes.withUnsafeReadableBytes { bytes in
            for field in head.fields where Wire.forwardsRequestField(bytes, field) {
                let length = field.nameEnd - field.nameStart
                if length == 17, Wire.name(bytes, field.nameStart, field.nameEnd, is: "x-forwarded-proto") { hasProto = true }
                if length == 16, Wire.name(bytes, field.nameStart, field.nameEnd, is: "x-forwarded-host") { hasForwardedHost = true }
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[Int(field.nameStart)..<Int(field.nameEnd)]))
                out.writeStaticString(": ")
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[Int(field.valueStart)..<Int(field.valueEnd)]))
                out.writeStaticString("\r\n")
            }
        }
        func field(_ name: String, _ value: String) {
            out.writeString(name)
            out.writeStaticString(": ")
            out.writeString(value)
            out.writeStaticString("\r\n")
        }
        if let remote { field("X-Forwarded-For", head.forwardedFor.map { "\($0), \(remote)" } ?? remote)
        } else if let forwarded = head.forwardedFor { field("X-Forwarded-For", forwarded) }
        if !hasProto { field("X-Forwarded-Proto", "http") }
        if !hasForwardedHost, let host = head.host { field("X-Forwarded-Host", host) }
        field("X-Request-ID", plan.requestID)
        field("traceparent", plan.trace.traceparent)
        let remaining = plan.deadline - .now()
        field(UpstreamCaller.timeoutHeader, String(max(1, remaining.nanoseconds / 1_000_000)))
        if let identity = plan.identity {
            for item in identity.fields { field(item.name.rawName, item.value) }
        }
        if let credential {
            field(InternalCredential.headerName, credential.token(method: plan.method.rawValue, target: head.target,
                                                                 identity: plan.identity?.signedText ?? ""))
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
    var key: String { Self.key(host: host, port: port) }

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
            return
        }
        self.host = String(rest[..<colon])
        self.port = port
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let upgrade = HTTPField.Name("Upgrade")!
    static let expect = HTTPField.Name("Expect")!
}
