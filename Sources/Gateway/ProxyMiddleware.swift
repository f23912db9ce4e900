import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization

/// The streaming reverse proxy: `/api/v1/<service>/…` goes to a live instance of `<service>`.
///
/// Method, path, query, headers, status and body are passed through; hop-by-hop headers are dropped;
/// `X-Forwarded-For/-Proto/-Host`, `X-Request-ID` and `traceparent` are set. Bodies stream in both
/// directions and are never buffered whole. Unknown service → 404, no live instance → 503 with
/// `Retry-After`, upstream unreachable or broken → 502, upstream too slow → 504, all as problems.
struct ProxyMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let caller: UpstreamCaller
    let defaultTimeout: Duration
    let maxTimeout: Duration
    /// Signs every proxied request so that services can tell it came through the gateway.
    let credential: InternalCredential?

    static let prefix = "/api/v1/"
    /// Bodies up to this size are read before the first attempt so that a retry can send them again;
    /// larger ones stream straight through and are not retried.
    static let replayableBodyLimit = 64 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(Self.prefix) else { return try await next(request, context) }
        let rest = path.dropFirst(Self.prefix.count)
        let service = String(rest.prefix { $0 != "/" })
        guard !service.isEmpty, service != "gateway" else { return try await next(request, context) }

        // Label metrics by service, never by raw path; unknown names share one label.
        let known = caller.pool.isKnown(service)
        context.coreContext.endpointPath.value = known ? "/api/v1/\(service)/**" : "/api/v1/{unknown}/**"

        let deadline = ContinuousClock.now + timeout(for: request)
        let length = request.headers[.contentLength].flatMap(Int.init)
        let chunked = request.headers[values: .transferEncoding].contains { $0.lowercased().contains("chunked") }
        let body: UpstreamBody
        if let length, length > 0, length <= Self.replayableBodyLimit {
            body = .buffered(try await request.body.collect(upTo: Self.replayableBodyLimit))
        } else if (length ?? 0) > 0 || chunked {
            body = .stream(LimitedBody(base: request.body, limit: context.maxUploadSize), length: length)
        } else {
            body = .none
        }
        let idempotent = UpstreamCaller.isIdempotent(method: request.method.rawValue,
                                                     hasIdempotencyKey: request.headers[.idempotencyKey] != nil)
        let replayable: Bool
        if case .stream = body { replayable = false } else { replayable = true }
        let retryable = replayable && idempotent

        let answer: UpstreamCaller.Answer
        do {
            answer = try await caller.execute(service: service, retryable: retryable, replayable: replayable, deadline: deadline,
                                             logger: context.logger) { instance in
                makeUpstreamRequest(request, context: context, baseURL: instance.url, body: body)
            }
        } catch {
            if case .stream(let stream, _) = body, stream.exceeded.isSet { throw Problem.payloadTooLarge(limit: stream.limit) }
            throw problem(for: error, service: service, context: context)
        }
        let response = answer.response
        var headers = HTTPFields()
        let dropped = Self.hopByHop(connectionHeader: response.headers[canonicalForm: "connection"].joined(separator: ","))
        for (name, value) in response.headers where !dropped.contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)
        return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: response.body))
    }

    /// The deadline of the whole attempt chain: `X-Bourse-Timeout-Ms` when the client sent one (capped),
    /// otherwise the configured default.
    func timeout(for request: Request) -> Duration {
        if let header = request.headers[.bourseTimeout], let ms = Int(header), ms > 0 {
            return min(.milliseconds(ms), maxTimeout)
        }
        return defaultTimeout
    }

    enum UpstreamBody {
        case none
        case buffered(ByteBuffer)
        case stream(LimitedBody, length: Int?)
    }

    func makeUpstreamRequest(_ request: Request, context: Context, baseURL: String, body: UpstreamBody) -> HTTPClientRequest {
        var upstream = HTTPClientRequest(url: baseURL + (request.uri.description.hasPrefix("/") ? request.uri.description : "/" + request.uri.description))
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        let connectionTokens = request.headers[values: .connection].joined(separator: ",")
        let dropped = Self.hopByHop(connectionHeader: connectionTokens)
        var forwardedFor: String?
        for field in request.headers {
            let name = field.name.canonicalName
            if dropped.contains(name) || name == "host" || Self.isGatewayOwned(name) { continue }
            if name == "x-forwarded-for" { forwardedFor = field.value; continue }
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        if let remote = context.remoteAddress {
            upstream.headers.replaceOrAdd(name: "X-Forwarded-For", value: forwardedFor.map { "\($0), \(remote)" } ?? remote)
        } else if let forwardedFor {
            upstream.headers.replaceOrAdd(name: "X-Forwarded-For", value: forwardedFor)
        }
        if request.headers[.xForwardedProto] == nil {
            upstream.headers.replaceOrAdd(name: "X-Forwarded-Proto", value: request.head.scheme ?? "http")
        }
        if let host = request.head.authority, request.headers[.xForwardedHost] == nil {
            upstream.headers.replaceOrAdd(name: "X-Forwarded-Host", value: host)
        }
        upstream.headers.replaceOrAdd(name: "X-Request-ID", value: context.requestID)
        upstream.headers.replaceOrAdd(name: "traceparent", value: context.trace.traceparent)
        // The identity the edge established (never a client's own X-Bourse-* headers, dropped above), signed with
        // the method and target so a service can trust it.
        for (name, value) in context.principal?.headerFields ?? [] { upstream.headers.replaceOrAdd(name: name, value: value) }
        if let credential {
            upstream.headers.replaceOrAdd(name: InternalCredential.headerName,
                                          value: credential.token(method: request.method.rawValue, target: request.uri.description,
                                                                  identity: context.principal?.signedText ?? ""))
        }
        switch body {
        case .none: break
        case .buffered(let buffer): upstream.body = .bytes(buffer)
        case .stream(let stream, let length): upstream.body = .stream(stream, length: length.map { .known(Int64($0)) } ?? .unknown)
        }
        return upstream
    }

    func problem(for error: UpstreamCaller.Failure, service: String, context: Context) -> Problem {
        switch error {
        case .unknownService:
            return .notFound("No service named \(service) is known to the gateway.")
        case .noHealthyInstance:
            return .serviceUnavailable("Service \(service) has no healthy instance right now.", retryAfterSeconds: 2)
        case .timeout:
            return .gatewayTimeout("Service \(service) did not answer before the request's deadline.")
        case .unreachable(let reason):
            context.logger.warning("upstream request failed", metadata: ["service": .string(service), "reason": .string(reason)])
            return .badGateway("Service \(service) could not be reached or broke the connection.")
        }
    }

    /// Request headers (lower-cased) that never pass from a client to a service, on either proxy path: those the
    /// gateway sets itself (request id, trace, time left, internal credential, identity), and the caller's token
    /// or key, which stays at the edge — services get the identity it proved, never the credential.
    static func isGatewayOwned(_ name: String) -> Bool {
        gatewayOwned.contains(name) || Principal.headerNames.contains(name)
    }

    static let gatewayOwned: Set<String> = [
        "x-request-id", "traceparent", "x-bourse-timeout-ms", "x-bourse-internal", "authorization", "x-api-key",
    ]

    static let alwaysHopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// RFC 9110 §7.6.1: the fixed hop-by-hop headers plus those the `Connection` header names.
    static func hopByHop(connectionHeader: String?) -> Set<String> {
        guard let connectionHeader, !connectionHeader.isEmpty else { return alwaysHopByHop }
        var set = alwaysHopByHop
        for token in connectionHeader.split(separator: ",") {
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
    /// Set when the limit was passed, so the proxy can answer 413 rather than 502.
    let exceeded = ExceededFlag()

    final class ExceededFlag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    struct TooLarge: Error {
        let limit: Int
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        let exceeded: ExceededFlag
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            seen += chunk.readableBytes
            if seen > limit {
                exceeded.set()
                throw TooLarge(limit: limit)
            }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit, exceeded: exceeded)
    }
}

extension HTTPField.Name {
    // Made once, not per request.
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
}
