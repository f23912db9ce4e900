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
        openAPIPaths: """
          /api/v1/echo/json:
            post:
              summary: Echo a JSON body.
              responses:
                '200': {description: The body.}
        """)

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

    func addRoutes(to router: Router<ServiceRequestContext>) {
        router.post("/api/v1/echo/json") { request, context in
            try JSONResponse(encoding: try await request.decodeJSON(as: Payload.self, context: context))
        }
        router.post("/api/v1/echo/bytes") { request, context in
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            return JSONResponse(["bytes": .number(Double(body.readableBytes))])
        }
        router.get("/api/v1/echo/context") { _, context in
            JSONResponse(["request_id": .string(context.requestID), "trace_id": .string(context.trace.traceID),
                          "parent": context.trace.parentSpanID.map(JSONValue.string) ?? .null])
        }
        router.get("/api/v1/echo/items/{id}") { _, context in
            JSONResponse(["id": .string(try context.parameters.require("id"))])
        }
        router.get("/api/v1/echo/crash") { _, _ -> String in
            throw Internals()
        }
        router.get("/api/v1/echo/sleep") { _, context -> String in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                EchoService.cancelledSleeps.add(1, ordering: .relaxed)
                throw error
            }
            return "awake: \(context.deadline != nil)"
        }
        router.get("/api/v1/echo/conflict") { _, _ -> String in
            throw Problem.conflict("Already there.")
        }
    }

    var healthChecks: [HealthCheck] {
        let failing = failingCheck
        return [HealthCheck("peer") { if failing { throw Problem.badGateway("peer is down") } }]
    }
}
