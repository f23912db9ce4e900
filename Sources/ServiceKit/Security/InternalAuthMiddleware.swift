import Foundation
import HTTPTypes
import Hummingbird

/// The service side of authentication. With `internal.secret` set it refuses any request that does not carry a
/// valid ``InternalCredential`` — i.e. that did not come through the gateway or from a peer service — except the
/// operational endpoints (`/health`, `/health/detailed`, `/metrics`, `/openapi.yaml`) that probes and scrapers
/// call directly. The credential also signs the identity headers, so the ``Principal`` read from them is the one
/// the gateway established; the service then enforces its ``AccessPolicy`` on it again (defence in depth: a
/// gateway bug or a peer acting for a user cannot widen a user's rights).
///
/// Without a secret (a lone `bourse serve` on a laptop, router tests) identity headers are taken as they come and
/// the policy is still applied to requests that carry them.
public struct InternalAuthMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let credential: InternalCredential?
    let policy: AccessPolicy
    /// Paths (exact) that need no credential.
    let open: Set<String>

    public init(credential: InternalCredential?, policy: AccessPolicy,
                open: Set<String> = ["/health", "/health/detailed", "/metrics", "/openapi.yaml"]) {
        self.credential = credential
        self.policy = policy
        self.open = open
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if open.contains(request.uri.path) { return try await next(request, context) }
        let principal = Principal(headers: request.headers)
        if let credential {
            guard let token = request.headers[InternalCredential.header],
                  credential.verify(token, method: request.method.rawValue, target: request.uri.description,
                                    identity: principal?.signedText ?? "") else {
                throw Problem(status: .unauthorized, slug: "internal-credential",
                              detail: "This service only answers requests that come through the gateway or from a peer service.",
                              headers: [.wwwAuthenticate: "Bourse-Internal"])
            }
        }
        var context = context
        context.principal = principal
        // A call without a user is a peer service's own (a consumer, a background job): it is trusted as a whole.
        if let principal, request.uri.path.hasPrefix("/api/v1/") {
            try Self.authorize(principal, requirement: policy.requirement(method: request.method.rawValue, path: request.uri.path))
        }
        return try await next(request, context)
    }

    /// Throws 403 unless `principal` satisfies `requirement` (no matching rule: `admin` only).
    public static func authorize(_ principal: Principal, requirement: AccessPolicy.Requirement?) throws {
        switch requirement {
        case .open?, .authenticated?: return
        case .scope(let scope)?:
            guard principal.has(scope: scope) else { throw Problem.forbidden(scope: scope) }
        case nil:
            guard principal.has(scope: Scope.admin) else { throw Problem.forbidden(scope: Scope.admin) }
        }
    }
}

extension Problem {
    /// 403 for a caller that is authenticated but lacks `scope`.
    public static func forbidden(scope: String) -> Problem {
        Problem(status: .forbidden, slug: "insufficient-scope",
                detail: "This route needs the scope \(scope), which your token or key does not grant.",
                headers: [.wwwAuthenticate: "Bearer error=\"insufficient_scope\", scope=\"\(scope)\""])
    }
}
