import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The endpoints every service serves: `/health`, `/health/detailed`, `/metrics`, `/api/status/config` and
/// `/openapi.yaml`; and `/api/status/bus`, which a service on the event bus serves through
/// ``EventBus/addStatusRoute(to:)``.
public enum CommonEndpoints {
    public static let health = Endpoint(
        .get, "/health", access: .open, summary: "Liveness - the process answers.",
        responses: [.json(.ok, "Alive.", .object([.init("status", .string), .init("service", .string), .init("instance", .string),
                                                   .init("version", .string), .init("uptime_seconds", .number)]))])
    public static let healthDetailed = Endpoint(
        .get, "/health/detailed", access: .open, summary: "Readiness - the database and every dependency answer.",
        responses: [.json(.ok, "Every check passes.", .ref(HealthReport.self)),
                    .json(.serviceUnavailable, "At least one check fails; the body says which.", .ref(HealthReport.self))])
    public static let metrics = Endpoint(
        .get, "/metrics", access: .open, summary: "Prometheus text exposition of this process's metrics.",
        responses: [.text(.ok, "Metrics.")])
    /// Outside `/api/v1`: no user scope applies, but with `internal.secret` set only the gateway and peers may call it.
    public static let config = Endpoint(
        .get, "/api/status/config", access: .open, summary: "Effective configuration with each value's source; secrets redacted.",
        responses: [.json(.ok, "Configuration.", .object([.init("service", .string), .init("instance", .string),
                                                          .init("database", JSONSchema.string.orNull), .init("keys", .map(.any(description: nil)))]))],
        problems: [.unauthorized])
    public static let bus = Endpoint(
        .get, "/api/status/bus", access: .open,
        summary: "The shared event bus - store, topics, consumer groups, lag, dead-letter counts - and this service's outbox backlog.",
        responses: [.json(.ok, "Bus status.", .any(description: "See docs/bus.md."))], problems: [.unauthorized])
    public static let openAPI = Endpoint(
        .get, "/openapi.yaml", access: .open, summary: "This document.",
        responses: [Endpoint.Answer(.ok, "The OpenAPI 3.1 contract.", content: [.init(mediaType: "application/yaml", schema: nil)])])

    public static func all(usesBus: Bool) -> [Endpoint] {
        [health, healthDetailed, metrics, config] + (usesBus ? [bus] : []) + [openAPI]
    }
}

enum CommonRoutes {
    static let started = Date()

    static func add(to router: ServiceRouter, environment: ServiceEnvironment, checks: [HealthCheck]) {
        let name = environment.descriptor.name
        let instance = environment.instanceID
        router.on(CommonEndpoints.health) { _, _ in
            JSONResponse(["status": .string("pass"), "service": .string(name), "instance": .string(instance),
                          "version": .string(environment.descriptor.version),
                          "uptime_seconds": .number(Date().timeIntervalSince(started).rounded(toPlaces: 3))])
        }
        router.on(CommonEndpoints.healthDetailed) { _, _ in
            let report = await HealthReport.run(checks, service: name, instance: instance)
            return try JSONResponse(encoding: report, status: report.healthy ? .ok : .serviceUnavailable)
        }
        router.on(CommonEndpoints.metrics) { _, _ in
            let bytes = environment.metrics.exposition()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.on(CommonEndpoints.config) { _, _ in
            try JSONResponse(encoding: ConfigStatus(service: name, instance: instance,
                                                    database: environment.database.map { "\($0.engine.rawValue): \($0.location)" },
                                                    keys: environment.configuration.redacted()))
        }
        let document = OpenAPIDocument.render(environment.descriptor)
        router.on(CommonEndpoints.openAPI) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: document)))
        }
    }

    struct ConfigStatus: Codable {
        let service: String
        let instance: String
        let database: String?
        let keys: [String: Configuration.RedactedEntry]
    }
}

/// A JSON response body with an explicit status.
public struct JSONResponse: ResponseGenerator {
    let status: HTTPResponse.Status
    let body: ByteBuffer

    public init(_ value: [String: JSONValue], status: HTTPResponse.Status = .ok) {
        self.status = status
        self.body = JSONValue.object(value).encoded()
    }

    public init(encoding value: some Encodable, status: HTTPResponse.Status = .ok) throws {
        self.status = status
        self.body = ByteBuffer(bytes: try ServiceJSON.encoder().encode(value))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes)],
                 body: .init(byteBuffer: body))
    }
}
