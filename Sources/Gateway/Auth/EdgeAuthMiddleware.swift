import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The gateway's front door, before routing and proxying: works out what the route needs (the target service's
/// ``AccessPolicy``), who the caller is (internal credential, access token or API key), answers 401 or 403
/// itself, applies the caller's rate limit, and leaves the ``Principal`` in the context for the proxy to
/// forward (signed) to the service.
struct EdgeAuthMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let authenticator: GatewayAuthenticator
    let access: ServiceAccessTable
    let credential: InternalCredential?
    let limiter: RateLimiter
    let rateLimits: RateLimitPolicy
    let publicMetrics: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let method = request.method.rawValue
        // Peers and the supervisor: a valid internal credential (which also signs any identity they act for).
        if let credential, let token = request.headers[InternalCredential.header] {
            let principal = Principal(headers: request.headers)
            if credential.verify(token, method: method, target: request.uri.description, identity: principal?.signedText ?? "") {
                var context = context
                context.principal = principal
                return try await next(request, context)
            }
        }
        let requirement = requirement(method: method, path: path)
        var context = context
        let presented: GatewayAuthenticator.Credential?
        do {
            presented = try GatewayAuthenticator.credential(authorization: request.headers[.authorization], apiKey: request.headers[.xAPIKey])
            if let presented { context.principal = try await authenticator.authenticate(presented) }
        } catch {
            // An open route (login, refresh) still works with a stale token in the header.
            if requirement != .open { throw Self.unauthorized(error.reason) }
        }
        if requirement != .open {
            guard let principal = context.principal else { throw Self.unauthorized(nil) }
            try InternalAuthMiddleware.authorize(principal, requirement: requirement)
        }
        let rateHeaders = try rateLimit(request, context: context, path: path)
        var response = try await next(request, context)
        for field in rateHeaders { response.headers.append(field) }
        if method == "POST", path == "/api/v1/auth/logout", response.status == .noContent, let principal = context.principal {
            // This gateway refuses the logged-out token at once; others learn it from the revocation feed.
            var entries = [RevocationList.Entry(kind: .token, id: principal.credentialID, until: principal.expiresAt ?? 0)]
            if let sid = principal.sessionID { entries.append(.init(kind: .session, id: sid, until: principal.expiresAt ?? 0)) }
            authenticator.verifier.revocations.add(entries)
        }
        return response
    }

    /// What `method path` needs at the edge. `nil` (no rule) means admin only.
    func requirement(method: String, path: String) -> AccessPolicy.Requirement? {
        // Without an internal secret (a lone development gateway) services cannot prove who they are, so the
        // gateway's own registry and status endpoints stay open; `bourse up` always sets a secret.
        if credential == nil, path.hasPrefix("/api/v1/gateway/") || path.hasPrefix("/api/status/") { return .open }
        if path.hasPrefix("/api/v1/") {
            let service = path.dropFirst(8).prefix { $0 != "/" }
            if service == "gateway" { return GatewayService.descriptor.access.requirement(method: method, path: path) }
            return requirement(method: method, path: path, service: String(service))
        }
        switch path {
        case "/health", "/health/detailed", "/openapi.yaml", "/": return .open
        case "/metrics": return publicMetrics ? .open : .scope(Scope.admin)
        default:
            if let declared = Self.statusAccess[path] { return declared }
            return path.hasPrefix("/api/") ? .scope(Scope.admin) : .open
        }
    }

    /// The gateway's own status pages (`/api/status/rate-limit`, `/api/status/services`) need what their endpoints
    /// declare, whatever the method (the router then answers a wrong one); other `/api/` paths outside `/api/v1/`
    /// (the common `/api/status/config`) need admin.
    static let statusAccess: [String: AccessPolicy.Requirement] = Dictionary(
        GatewayService.descriptor.endpoints.filter { $0.path.hasPrefix("/api/status/") }.map { ($0.path, $0.access) },
        uniquingKeysWith: { first, _ in first })

    /// What `method path` needs, for a path under `/api/v1/<service>/` whose service (not the gateway) the caller
    /// has already read off it.
    func requirement(method: String, path: String, service: String) -> AccessPolicy.Requirement? {
        access.policy(for: service).requirement(method: method, path: path)
    }

    func rateLimit(_ request: Request, context: Context, path: String) throws -> [HTTPField] {
        guard let outcome = checkRate(principal: context.principal, remote: context.remoteAddress, method: request.method.rawValue, path: path)
        else { return [] }
        guard outcome.decision.allowed else {
            var fields = HTTPFields(outcome.headers)
            fields[.retryAfter] = String(outcome.decision.retryAfterSeconds)
            throw Problem(status: .tooManyRequests, slug: "rate-limited",
                          detail: "Too many requests: the limit is \(outcome.quota.limit) per \(Int(outcome.quota.period.inSeconds)) s; retry in \(outcome.decision.retryAfterSeconds) s.",
                          headers: fields)
        }
        return outcome.headers
    }

    /// Spends one request of the caller's quota (if a quota applies): the decision and the `RateLimit-*` headers.
    /// Shared with the fast path, so both count against the same key.
    func checkRate(principal: Principal?, remote: String?, method: String, path: String, keys: [String: String]? = nil)
        -> (quota: RateLimiter.Quota, decision: RateLimiter.Decision, headers: [HTTPField])? {
        // Probes and scrapers (/health, /metrics, the contract) are never limited: a limit there only hides outages.
        guard path.hasPrefix("/api/") else { return nil }
        let routeClass = RateLimitPolicy.routeClass(method: method, path: path)
        guard let quota = rateLimits.quota(role: principal?.primaryRole ?? "anonymous", routeClass: routeClass) else { return nil }
        let key: String
        if let precomputed = keys?[routeClass] {
            key = precomputed
        } else if let principal {
            // Per user for tokens (all of a user's sessions share it), per key for API keys.
            key = principal.kind == .user ? "user:\(principal.subject):\(routeClass)" : "key:\(principal.credentialID):\(routeClass)"
        } else {
            key = "ip:\(remote ?? "unknown"):\(routeClass)"
        }
        let decision = limiter.check(key, quota: quota)
        return (quota, decision, [
            HTTPField(name: .rateLimitLimit, value: String(decision.limit)),
            HTTPField(name: .rateLimitRemaining, value: String(decision.remaining)),
            HTTPField(name: .rateLimitReset, value: String(decision.resetSeconds)),
        ])
    }

    static func unauthorized(_ reason: String?) -> Problem {
        let challenge = reason.map { "Bearer realm=\"bourse\", error=\"invalid_token\", error_description=\"\($0.replacingOccurrences(of: "\"", with: "'"))\"" }
            ?? "Bearer realm=\"bourse\""
        return Problem(status: .unauthorized, slug: reason == nil ? "unauthenticated" : "invalid-credential",
                       detail: reason.map { "Refused: \($0)." } ?? "This route needs an access token (Authorization: Bearer …) or an API key (X-API-Key).",
                       headers: [.wwwAuthenticate: challenge])
    }
}

extension HTTPField.Name {
    static let xAPIKey = HTTPField.Name("X-API-Key")!
}
