import Foundation
import Hummingbird
import ServiceKit
import Synchronization

/// A small service for exercising ServiceKit's shared behaviour through a real router.
struct EchoService: BourseService {
    static let descriptor = ServiceDescriptor(
        name: "echo",
        migrations: [Migration(1, "notes", up: .init(["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"]),
                               down: .init(["DROP TABLE notes"]))],
        summary: "Test service.",
        endpoints: Routes.all)

    /// The echo service's contract: every route it serves.
    enum Routes {
        static let payload = JSONSchema.object([.init("name", .string), .init("count", .integer)], required: ["name", "count"])
        static let json = Endpoint(.post, "/api/v1/echo/json", access: .scope("echo:write"), summary: "Echo a JSON body.",
                                   body: .json(payload), responses: [.json(.ok, "The body.", payload)])
        static let bytes = Endpoint(.post, "/api/v1/echo/bytes", access: .scope("echo:write"), summary: "Count the body's bytes.",
                                    body: Endpoint.Body(content: [.init(mediaType: "application/octet-stream", schema: .string)]),
                                    responses: [.json(.ok, "The count.", .object([.init("bytes", .integer)]))])
        static let context = Endpoint(.get, "/api/v1/echo/context", access: .scope("echo:read"), summary: "The request's context.",
                                      responses: [.json(.ok, "Ids.", .any(description: nil))])
        static let item = Endpoint(.get, "/api/v1/echo/items/{id}", access: .scope("echo:read"), summary: "Echo a path parameter.",
                                   responses: [.json(.ok, "The id.", .object([.init("id", .string)]))])
        static let crash = Endpoint(.get, "/api/v1/echo/crash", access: .scope("echo:read"), summary: "Throw an unexpected error.",
                                    responses: [], problems: [.internalServerError])
        static let sleep = Endpoint(.get, "/api/v1/echo/sleep", access: .scope("echo:read"), summary: "Sleep 30 s.",
                                    responses: [.text(.ok, "Awake.")])
        static let conflict = Endpoint(.get, "/api/v1/echo/conflict", access: .scope("echo:read"), summary: "Answer 409.",
                                       responses: [], problems: [.conflict])
        static let all = [json, bytes, context, item, crash, sleep, conflict]
    }

    struct Payload: Codable {
        let name: String
        let count: Int
    }

    struct Internals: Error, CustomStringConvertible {
        var description: String { "secret internal state: password=hunter2" }
    }

    let failingCheck: Bool
    static let cancelledSleeps = Atomic<Int>(0)

    init(environment: ServiceEnvironment) async throws {
        failingCheck = environment.configuration.string(.instanceID) == "failing"
    }

    func addRoutes(to router: ServiceRouter) {
        router.on(Routes.json) { request, context in
            try JSONResponse(encoding: try await request.decodeJSON(as: Payload.self, context: context))
        }
        router.on(Routes.bytes) { request, context in
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            return JSONResponse(["bytes": .number(Double(body.readableBytes))])
        }
        router.on(Routes.context) { _, context in
            JSONResponse(["request_id": .string(context.requestID), "trace_id": .string(context.trace.traceID),
                          "parent": context.trace.parentSpanID.map(JSONValue.string) ?? .null])
        }
        router.on(Routes.item) { _, context in
            JSONResponse(["id": .string(try context.parameters.require("id"))])
        }
        router.on(Routes.crash) { _, _ -> String in
            throw Internals()
        }
        router.on(Routes.sleep) { _, context -> String in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                EchoService.cancelledSleeps.add(1, ordering: .relaxed)
                throw error
            }
            return "awake: \(context.deadline != nil)"
        }
        router.on(Routes.conflict) { _, _ -> String in
            throw Problem.conflict("Already there.")
        }
    }

    var healthChecks: [HealthCheck] {
        let failing = failingCheck
        return [HealthCheck("peer") { if failing { throw Problem.badGateway("peer is down") } }]
    }
}
