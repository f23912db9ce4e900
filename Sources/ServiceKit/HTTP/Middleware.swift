import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-ID")!
    /// Milliseconds the caller still waits (see ``UpstreamCaller/timeoutHeader``).
    public static let bourseTimeout = HTTPField.Name(UpstreamCaller.timeoutHeader)!
}

/// Keeps a sane incoming `X-Request-ID` or makes one, continues or starts the W3C trace, puts both into the
/// logger's metadata, and echoes the request id on the response.
public struct RequestIdentityMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.requestID]
        context.requestID = incoming.flatMap(Self.acceptable) ?? IdentifierSource.requestID()
        context.trace = .continuing(request.headers[.traceparent])
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        context.logger[metadataKey: "trace_id"] = .string(context.trace.traceID)
        var response = try await next(request, context)
        response.headers[.requestID] = context.requestID
        return response
    }

    /// An incoming id is kept when it is short and printable, so it cannot forge log lines.
    public static func acceptable(_ id: String) -> String? {
        guard !id.isEmpty, id.count <= 128,
              id.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" })
        else { return nil }
        return id
    }
}

/// Writes one JSON access-log line per request (request id, trace id, method, route pattern, status,
/// duration) and records request metrics labelled by route pattern and status class.
public struct ObservabilityMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let metrics: HTTPMetrics

    public init(metrics: HTTPMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.inFlight.increment()
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // ProblemMiddleware renders every error; anything reaching here failed while rendering.
            metrics.inFlight.decrement()
            finish(request: request, context: context, status: .internalServerError, start: start)
            throw error
        }
        let status = response.status
        response.body = response.body.afterWrite {
            metrics.inFlight.decrement()
            finish(request: request, context: context, status: status, start: start)
        }
        return response
    }

    private func finish(request: Request, context: Context, status: HTTPResponse.Status, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        metrics.record(method: request.method, route: route, status: status, duration: elapsed)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "route": .string(route),
            "status": .stringConvertible(status.code),
            "duration_ms": .string(String(format: "%.3f", seconds * 1000)),
        ])
    }
}

/// Turns every error into an RFC 9457 problem response. Known errors keep their status; anything else is a
/// 500 whose detail goes to the log only (with the request id), never to the client.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.problem(for: error, request: request, context: context).render(instance: context.requestID)
        }
    }

    static func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return .notFound("No route for \(request.method.rawValue) \(request.uri.path).")
            case .contentTooLarge:
                return .payloadTooLarge(limit: context.maxUploadSize)
            case .methodNotAllowed:
                return Problem(status: .methodNotAllowed, slug: "method-not-allowed",
                               detail: "\(request.method.rawValue) is not allowed on \(request.uri.path).", headers: error.headers)
            default:
                return Problem(status: error.status, slug: "http-\(error.status.code)",
                               detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
            }
        case let error as DecodingError:
            return .badRequest("The request body is not valid: \(error.readableDescription)")
        case let error as any HTTPResponseError where error.status.code < 500:
            return Problem(status: error.status, slug: "http-\(error.status.code)", detail: error.status.reasonPhrase)
        default:
            context.logger.error("unhandled error", metadata: ["error": .string(String(reflecting: error))])
            return .internalError(requestID: context.requestID)
        }
    }
}

/// Refuses a request whose declared `Content-Length` exceeds the limit with 413 before reading it, and sets
/// the limit that `collect(upTo:)` and `request.decode` enforce on bodies of unknown length.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let limit: Int

    public init(limit: Int) {
        self.limit = limit
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = limit
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.payloadTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}

extension DecodingError {
    /// A one-line description naming the JSON path, without Swift type internals.
    public var readableDescription: String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the document" : "/" + keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/")
        }
        switch self {
        case .keyNotFound(let key, let ctx):
            return "missing field \(path(ctx.codingPath + [key]))"
        case .typeMismatch(let type, let ctx):
            return "\(path(ctx.codingPath)) must be \(Self.describe(type))"
        case .valueNotFound(let type, let ctx):
            return "\(path(ctx.codingPath)) must be \(Self.describe(type)), not null"
        case .dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "malformed JSON" : "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default:
            return "malformed JSON"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "a boolean"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }
}

extension ResponseBody {
    /// A body that runs `done` once it has been written to the channel (or writing failed).
    public func afterWrite(_ done: @escaping @Sendable () async -> Void) -> ResponseBody {
        let body = self
        return ResponseBody(contentLength: body.contentLength) { writer in
            do {
                try await body.write(writer)
                await done()
            } catch {
                await done()
                throw error
            }
        }
    }
}

/// Honours the caller's deadline (`X-Bourse-Timeout-Ms`, set by the gateway and by ServiceKit's client):
/// the route is cancelled when nobody waits for its answer any more, and the caller gets 504.
public struct DeadlineMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.bourseTimeout], let ms = Int(header), ms > 0 else {
            return try await next(request, context)
        }
        var context = context
        let timeout = Duration.milliseconds(ms)
        context.deadline = ContinuousClock.now + timeout
        let bounded = context
        return try await withoutActuallyEscaping(next) { next in
            let handler = UncheckedSendable(next)
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await handler.value(request, bounded) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    bounded.logger.notice("deadline passed; route cancelled", metadata: ["timeout_ms": .stringConvertible(ms)])
                    throw Problem.gatewayTimeout("The request's deadline of \(ms) ms passed before an answer was ready.")
                }
                return response
            }
        }
    }
}

/// Carries a non-`Sendable` value into a child task of a task group.
///
/// Safe only where the value is used by exactly one task at a time and does not outlive the scope that
/// created it: `DeadlineMiddleware` hands the rest of the middleware chain to one child task and awaits the
/// group before returning, so the chain never runs concurrently with its owner or after it returns.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
