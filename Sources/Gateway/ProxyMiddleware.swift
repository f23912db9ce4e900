import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit

/// The streaming reverse proxy: `/api/v1/<service>/…` goes to a live instance of `<service>`.
///
/// Method, path, query, headers, status and body are passed through; hop-by-hop headers are dropped;
/// `X-Forwarded-For/-Proto/-Host`, `X-Request-ID` and `traceparent` are set. Bodies stream in both
/// directions and are never buffered whole. Unknown service → 404, no live instance → 503 with
/// `Retry-After`, upstream unreachable or broken → 502, upstream too slow → 504, all as problems.
struct ProxyMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let registry: ServiceRegistry
    let client: ServiceClient
    let timeout: Duration

    static let prefix = "/api/v1/"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(Self.prefix) else { return try await next(request, context) }
        let rest = path.dropFirst(Self.prefix.count)
        let service = String(rest.prefix { $0 != "/" })
        guard !service.isEmpty, service != "gateway" else { return try await next(request, context) }

        // Label metrics by service, never by raw path; unknown names share one label.
        let known = registry.isKnown(service)
        context.coreContext.endpointPath.value = known ? "/api/v1/\(service)/**" : "/api/v1/{unknown}/**"
        let instance: ServiceRegistry.Instance
        switch registry.pick(service) {
        case .unknownService:
            throw Problem.notFound("No service named \(service) is known to the gateway.")
        case .noHealthyInstance:
            throw Problem.serviceUnavailable("Service \(service) has no healthy instance right now.", retryAfterSeconds: 2)
        case .instance(let found):
            instance = found
        }
        let upstreamRequest = makeUpstreamRequest(request, context: context, baseURL: instance.url)
        let response: HTTPClientResponse
        do {
            response = try await client.http.execute(upstreamRequest, deadline: .now() + .nanoseconds(Int64(timeout.inSeconds * 1e9)))
        } catch {
            throw mapUpstreamError(error, service: service, instance: instance, context: context)
        }
        var headers = HTTPFields()
        let dropped = Self.hopByHop(connectionHeader: response.headers[canonicalForm: "connection"].joined(separator: ","))
        for (name, value) in response.headers where !dropped.contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)
        return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: response.body))
    }

    func makeUpstreamRequest(_ request: Request, context: Context, baseURL: String) -> HTTPClientRequest {
        var upstream = HTTPClientRequest(url: baseURL + (request.uri.description.hasPrefix("/") ? request.uri.description : "/" + request.uri.description))
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        let connectionTokens = request.headers[values: .connection].joined(separator: ",")
        let dropped = Self.hopByHop(connectionHeader: connectionTokens)
        var forwardedFor: String?
        var originalHost: String?
        for field in request.headers {
            let name = field.name.canonicalName
            if dropped.contains(name) || name == "host" || name == "x-request-id" || name == "traceparent" { continue }
            if name == "x-forwarded-for" { forwardedFor = field.value; continue }
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        originalHost = request.head.authority
        if let remote = context.remoteAddress {
            upstream.headers.replaceOrAdd(name: "X-Forwarded-For", value: forwardedFor.map { "\($0), \(remote)" } ?? remote)
        } else if let forwardedFor {
            upstream.headers.replaceOrAdd(name: "X-Forwarded-For", value: forwardedFor)
        }
        if request.headers[HTTPField.Name("X-Forwarded-Proto")!] == nil {
            upstream.headers.replaceOrAdd(name: "X-Forwarded-Proto", value: request.head.scheme ?? "http")
        }
        if let originalHost, request.headers[HTTPField.Name("X-Forwarded-Host")!] == nil {
            upstream.headers.replaceOrAdd(name: "X-Forwarded-Host", value: originalHost)
        }
        upstream.headers.replaceOrAdd(name: "X-Request-ID", value: context.requestID)
        upstream.headers.replaceOrAdd(name: "traceparent", value: context.trace.traceparent)

        let length = request.headers[.contentLength].flatMap(Int64.init)
        let chunked = request.headers[values: .transferEncoding].contains { $0.lowercased().contains("chunked") }
        if let length, length > 0 {
            upstream.body = .stream(LimitedBody(base: request.body, limit: context.maxUploadSize), length: .known(length))
        } else if chunked {
            upstream.body = .stream(LimitedBody(base: request.body, limit: context.maxUploadSize), length: .unknown)
        }
        return upstream
    }

    func mapUpstreamError(_ error: any Error, service: String, instance: ServiceRegistry.Instance, context: Context) -> any Error {
        if let tooLarge = error as? LimitedBody.TooLarge { return Problem.payloadTooLarge(limit: tooLarge.limit) }
        context.logger.warning("upstream request failed", metadata: [
            "service": .string(service), "upstream": .string(instance.url), "error": .string(String(reflecting: error)),
        ])
        if let clientError = error as? HTTPClientError,
           clientError == .deadlineExceeded || clientError == .readTimeout {
            return Problem.gatewayTimeout("Service \(service) did not answer within \(timeout.inSeconds) seconds.")
        }
        return Problem.badGateway("Service \(service) could not be reached or broke the connection.")
    }

    static let alwaysHopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// RFC 9110 §7.6.1: the fixed hop-by-hop headers plus those the `Connection` header names.
    static func hopByHop(connectionHeader: String?) -> Set<String> {
        var set = alwaysHopByHop
        for token in (connectionHeader ?? "").split(separator: ",") {
            set.insert(token.trimmingCharacters(in: .whitespaces).lowercased())
        }
        return set
    }
}

/// A request body that fails once more than `limit` bytes have passed, so a chunked upload cannot exceed
/// the body limit by streaming through the proxy.
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int

    struct TooLarge: Error {
        let limit: Int
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            seen += chunk.readableBytes
            if seen > limit { throw TooLarge(limit: limit) }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit)
    }
}
