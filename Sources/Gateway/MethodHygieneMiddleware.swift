import HTTPTypes
import Hummingbird
import ServiceKit

/// Refuses, before authentication and before anything is forwarded, requests that no Bourse route can accept and
/// that an upstream's HTTP stack may answer by closing its connection: a method no service declares (TRACE,
/// CONNECT, OPTIONS, unknown tokens) gets 405 with `Allow`; a GET or HEAD carrying a body, or a request that gives
/// both `Content-Length` and `Transfer-Encoding`, gets 400. The event-loop proxy takes bodiless GET and HEAD
/// requests only, so every request this concerns reaches the router path and this middleware.
struct MethodHygieneMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    /// Every method a Bourse route is declared with (HEAD answers wherever GET does).
    static let allowed: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete]
    static let allowHeader = "GET, HEAD, POST, PUT, PATCH, DELETE"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.allowed.contains(request.method) else {
            throw Problem(status: .methodNotAllowed, slug: "method-not-allowed",
                          detail: "No route accepts the method \(request.method.rawValue).",
                          headers: [.allow: Self.allowHeader])
        }
        let length = request.headers[.contentLength]
        let chunked = request.headers[.transferEncoding] != nil
        if length != nil && chunked {
            throw Problem.badRequest("The request gives both Content-Length and Transfer-Encoding; its body's length is ambiguous.")
        }
        if request.method == .get || request.method == .head, chunked || (length.flatMap { Int($0) } ?? 0) > 0 {
            throw Problem.badRequest("A \(request.method.rawValue) request cannot carry a body.")
        }
        return try await next(request, context)
    }
}
