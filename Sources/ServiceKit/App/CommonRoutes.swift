import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/health`, `/health/detailed`, `/metrics`, `/api/status/config` and `/openapi.yaml`, the same on every service
/// (and `/api/status/bus` on services that use the event bus).
enum CommonRoutes {
    static let started = Date()

    static func add(to router: Router<ServiceRequestContext>, environment: ServiceEnvironment, checks: [HealthCheck]) {
        let name = environment.descriptor.name
        let instance = environment.instanceID
        router.get("/health") { _, _ in
            JSONResponse(["status": .string("pass"), "service": .string(name), "instance": .string(instance),
                          "version": .string(environment.descriptor.version),
                          "uptime_seconds": .number(Date().timeIntervalSince(started).rounded(toPlaces: 3))])
        }
        router.get("/health/detailed") { _, _ in
            let report = await HealthReport.run(checks, service: name, instance: instance)
            return try JSONResponse(encoding: report, status: report.healthy ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            let bytes = environment.metrics.exposition()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("/api/status/config") { _, _ in
            try JSONResponse(encoding: ConfigStatus(service: name, instance: instance,
                                                    database: environment.database.map { "\($0.engine.rawValue): \($0.location)" },
                                                    keys: environment.configuration.redacted()))
        }
        if environment.descriptor.usesBus, let database = environment.database {
            router.get("/api/status/bus") { _, _ in try JSONResponse(encoding: try await BusStatus.build(database)) }
        }
        let document = OpenAPIDocument.render(environment.descriptor)
        router.get("/openapi.yaml") { _, _ in
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        self.status = status
        self.body = ByteBuffer(bytes: try encoder.encode(value))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes)],
                 body: .init(byteBuffer: body))
    }
}
