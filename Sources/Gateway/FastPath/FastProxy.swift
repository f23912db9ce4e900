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

    struct Plan {
        let service: String
        let instance: UpstreamPool.Instance
        let request: HTTPRequest
        let identity: ForwardedIdentity?
        let requestID: String
        let trace: TraceContext
        let rateHeaders: [HTTPField]
        let deadline: NIODeadline
        let start: ContinuousClock.Instant
    }

    static let prefix = "/api/v1/"

    func decide(_ request: HTTPRequest, remote: String?) -> Decision {
        guard request.method == .get || request.method == .head, let target = request.path, target.hasPrefix(Self.prefix) else { return .router }
        let headers = request.headerFields
        // Bodies, upgrades, `Connection: close` and internal calls keep the general path.
        if headers[.transferEncoding] != nil || (headers[.contentLength].map { $0 != "0" } ?? false) || headers[.upgrade] != nil
            || headers[.expect] != nil || headers[InternalCredential.header] != nil
            || headers[values: .connection].contains(where: { $0.lowercased().contains("close") }) { return .router }
        let path = target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
        let service = path.dropFirst(Self.prefix.count).prefix { $0 != "/" }
        guard !service.isEmpty, service != "gateway" else { return .router }

        let requirement = edge.requirement(method: request.method.rawValue, path: path)
        var identity: ForwardedIdentity?
        if let authorization = headers[.authorization] {
            guard authorization.utf8.count > 7, authorization.utf8.prefix(7).elementsEqual("Bearer ".utf8) || authorization.prefix(7).lowercased() == "bearer ",
                  let known = edge.authenticator.verifier.cachedIdentity(for: String(authorization.dropFirst(7)))
            else { return .router }
            identity = known
        } else if let key = headers[.xAPIKey] {
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
        if let outcome = edge.checkRate(principal: principal, remote: remote, method: request.method.rawValue, path: path, keys: identity?.rateKeys) {
            // A refusal counts nothing, so the router path can refuse it again with the full problem.
            guard outcome.decision.allowed else { return .router }
            rateHeaders = outcome.headers
        }
        let requestID = headers[.requestID].flatMap(RequestIdentityMiddleware.acceptable) ?? IdentifierSource.requestID()
        budget.deposit()
        switch pool.pick(String(service)) {
        case .unknownService:
            return .problem(.notFound("No service named \(service) is known to the gateway."), requestID: requestID, rateHeaders: rateHeaders)
        case .noHealthyInstance:
            return .problem(.serviceUnavailable("Service \(service) has no healthy instance right now.", retryAfterSeconds: 2),
                            requestID: requestID, rateHeaders: rateHeaders)
        case .instance(let instance):
            let timeout = headers[.bourseTimeout].flatMap(Int.init).map { min(.milliseconds(max(1, $0)), maxTimeout) } ?? defaultTimeout
            return .proxy(Plan(service: String(service), instance: instance, request: request, identity: identity, requestID: requestID,
                               trace: .continuing(headers[.traceparent]), rateHeaders: rateHeaders,
                               deadline: .now() + .nanoseconds(Int64(timeout.inSeconds * 1e9)), start: .now))
        }
    }

    /// The request sent to `instance`: the client's headers minus hop-by-hop and gateway-owned ones, plus
    /// forwarding headers, request id, trace, time left, the caller's identity and the internal credential.
    func upstreamRequest(_ plan: Plan, to base: URLComponentsLite, remote: String?) -> HTTPRequest {
        let incoming = plan.request
        var fields = HTTPFields()
        fields.reserveCapacity(incoming.headerFields.count + 12)
        let dropped = ProxyMiddleware.hopByHop(connectionHeader: incoming.headerFields[values: .connection].joined(separator: ","))
        var forwardedFor: String?
        for field in incoming.headerFields {
            let name = field.name.canonicalName
            if dropped.contains(name) || ProxyMiddleware.isGatewayOwned(name) { continue }
            if name == "x-forwarded-for" { forwardedFor = field.value; continue }
            fields.append(field)
        }
        if let remote { fields[.xForwardedFor] = forwardedFor.map { "\($0), \(remote)" } ?? remote }
        if fields[.xForwardedProto] == nil { fields[.xForwardedProto] = incoming.scheme ?? "http" }
        if fields[.xForwardedHost] == nil, let host = incoming.authority { fields[.xForwardedHost] = host }
        fields[.requestID] = plan.requestID
        fields[.traceparent] = plan.trace.traceparent
        let remaining = plan.deadline - .now()
        fields[.bourseTimeout] = String(max(1, remaining.nanoseconds / 1_000_000))
        if let identity = plan.identity { fields.append(contentsOf: identity.fields) }
        if let credential {
            fields[InternalCredential.header] = credential.token(method: incoming.method.rawValue, target: incoming.path ?? "/",
                                                                 identity: plan.identity?.signedText ?? "")
        }
        return HTTPRequest(method: incoming.method, scheme: nil, authority: "\(base.host):\(base.port)",
                           path: base.path + (incoming.path ?? "/"), headerFields: fields)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let upgrade = HTTPField.Name("Upgrade")!
    static let expect = HTTPField.Name("Expect")!
}
