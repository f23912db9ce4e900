import Foundation
import HTTPTypes
import Hummingbird

/// Refuses any request that does not carry a valid ``InternalCredential`` — i.e. that did not come through the
/// gateway or from a peer service — except the operational endpoints (`/health`, `/health/detailed`,
/// `/metrics`, `/openapi.yaml`) that probes and scrapers call directly.
public struct InternalAuthMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let credential: InternalCredential
    /// Paths (exact) that need no credential.
    let open: Set<String>

    public init(credential: InternalCredential, open: Set<String> = ["/health", "/health/detailed", "/metrics", "/openapi.yaml"]) {
        self.credential = credential
        self.open = open
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if open.contains(request.uri.path) { return try await next(request, context) }
        guard let token = request.headers[InternalCredential.header],
              credential.verify(token, method: request.method.rawValue, target: request.uri.description) else {
            throw Problem(status: .unauthorized, slug: "internal-credential",
                          detail: "This service only answers requests that come through the gateway or from a peer service.",
                          headers: [.wwwAuthenticate: "Bourse-Internal"])
        }
        return try await next(request, context)
    }
}
