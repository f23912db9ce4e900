import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem: every error a Bourse service shows a client is one of these, rendered as
/// `application/problem+json` with `type`, `title`, `status`, `detail`, `instance` (the request id) and
/// any extension members (for example `errors`, a list of what is wrong with each field).
///
/// Build them with the static members (`.badRequest("…")`, `.notFound(…)`, …) so the set of problem
/// types stays small and documented.
public struct Problem: HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// A short stable slug; the rendered `type` is `https://bourse.dev/problems/<slug>`.
    public var slug: String
    public var title: String
    public var detail: String
    public var extensions: [String: JSONValue]
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status, slug: String, title: String? = nil, detail: String,
                extensions: [String: JSONValue] = [:], headers: HTTPFields = [:]) {
        self.status = status
        self.slug = slug
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.extensions = extensions
        self.headers = headers
    }

    public var description: String { "\(status.code) \(slug): \(detail)" }

    public static let typeBase = "https://bourse.dev/problems/"

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        render(instance: (context as? ServiceRequestContext)?.requestID)
    }

    /// Renders the problem; `instance` is the request id, so a user can quote it and an operator can find the log line.
    public func render(instance: String?) -> Response {
        let (headers, body) = rendered(instance: instance)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// The headers and body of the problem response (for writers below the router, such as the gateway's fast path).
    public func rendered(instance: String?) -> (HTTPFields, ByteBuffer) {
        var object: [String: JSONValue] = extensions
        object["type"] = .string(Self.typeBase + slug)
        object["title"] = .string(title)
        object["status"] = .number(Double(status.code))
        object["detail"] = .string(detail)
        if let instance, !instance.isEmpty { object["instance"] = .string("urn:request:\(instance)") }
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        let body = JSONValue.object(object).encoded()
        headers[.contentLength] = String(body.readableBytes)
        return (headers, body)
    }
}

extension Problem {
    public static func badRequest(_ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(status: .badRequest, slug: "bad-request", detail: detail,
                extensions: errors.isEmpty ? [:] : ["errors": .array(errors.map(\.json))])
    }

    public static func validation(_ detail: String, errors: [FieldError]) -> Problem {
        Problem(status: .unprocessableContent, slug: "validation", title: "Validation failed", detail: detail,
                extensions: ["errors": .array(errors.map(\.json))])
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem(status: .notFound, slug: "not-found", detail: detail)
    }

    public static func conflict(_ detail: String) -> Problem {
        Problem(status: .conflict, slug: "conflict", detail: detail)
    }

    public static func payloadTooLarge(limit: Int) -> Problem {
        Problem(status: .contentTooLarge, slug: "payload-too-large",
                detail: "The request body exceeds the limit of \(limit) bytes.", extensions: ["limit": .number(Double(limit))])
    }

    public static func serviceUnavailable(_ detail: String, retryAfterSeconds: Int) -> Problem {
        Problem(status: .serviceUnavailable, slug: "service-unavailable", detail: detail,
                headers: [.retryAfter: String(retryAfterSeconds)])
    }

    public static func badGateway(_ detail: String) -> Problem {
        Problem(status: .badGateway, slug: "bad-gateway", detail: detail)
    }

    public static func gatewayTimeout(_ detail: String) -> Problem {
        Problem(status: .gatewayTimeout, slug: "gateway-timeout", detail: detail)
    }

    public static func internalError(requestID: String) -> Problem {
        Problem(status: .internalServerError, slug: "internal",
                detail: "An unexpected error occurred. Quote request id \(requestID) when reporting it.")
    }
}

/// What is wrong with one field (or row and column) of an input.
public struct FieldError: Sendable, Equatable, Codable {
    /// A JSON pointer-like path (`/weight`) or a location such as `row 12, column High`.
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    var json: JSONValue { .object(["field": .string(field), "reason": .string(reason)]) }
}
