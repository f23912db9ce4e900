import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import ServiceKit

/// The middleware and endpoints every service gets from ServiceKit, exercised through a real router.
@Suite struct ServiceBehaviourTests {
    /// The body as a JSON object; an empty object (and a recorded failure) when it is not one.
    func json(_ buffer: ByteBuffer) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] else {
            Issue.record("body is not a JSON object: \(String(buffer: buffer))")
            return [:]
        }
        return object
    }

    @Test func unknownRouteIsA404ProblemWithTheRequestID() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/echo/nope", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let body = json(response.body)
                    #expect(body["status"] as? Int == 404)
                    #expect(body["type"] as? String == "https://bourse.dev/problems/not-found")
                    #expect((body["detail"] as? String)?.contains("/api/v1/echo/nope") == true)
                    let id = try #require(response.headers[.requestID])
                    #expect(body["instance"] as? String == "urn:request:\(id)")
                }
            }
        }
    }

    @Test func unexpectedErrorIsA500WithoutInternals() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/echo/crash", method: .get) { response in
                    #expect(response.status == .internalServerError)
                    let text = String(buffer: response.body)
                    #expect(!text.contains("hunter2"))
                    #expect(!text.contains("Internals"))
                    let id = try #require(response.headers[.requestID])
                    #expect(text.contains(id))
                }
            }
        }
    }

    @Test func domainProblemKeepsItsStatusAndDetail() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/echo/conflict", method: .get) { response in
                    #expect(response.status == .conflict)
                    #expect((json(response.body)["detail"] as? String == "Already there."))
                }
            }
        }
    }

    @Test func malformedJSONBodyIsA400NamingTheField() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/echo/json", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"name":"x","count":"three"}"#)) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect((json(response.body)["detail"] as? String)?.contains("/count must be an integer") == true)
                }
                try await client.execute(uri: "/api/v1/echo/json", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"name":"x"}"#)) { response in
                    #expect(response.status == .badRequest)
                    #expect((json(response.body)["detail"] as? String)?.contains("missing field /count") == true)
                }
            }
        }
    }

    @Test func bodyOverTheLimitIsRefusedWith413() async throws {
        try await TestSupport.withService(EchoService.self, settings: ["http.max_body_bytes": "1000"]) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/echo/bytes", method: .post, body: ByteBuffer(repeating: 1, count: 1001)) { response in
                    #expect(response.status == .contentTooLarge)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect((json(response.body)["limit"] as? Int == 1000))
                }
                try await client.execute(uri: "/api/v1/echo/bytes", method: .post, body: ByteBuffer(repeating: 1, count: 1000)) { response in
                    #expect(response.status == .ok)
                    #expect((json(response.body)["bytes"] as? Int == 1000))
                }
            }
        }
    }

    @Test func chunkedBodyOverTheLimitIsRefusedWith413() async throws {
        try await TestSupport.withService(EchoService.self, settings: ["http.max_body_bytes": "1000"]) { _, _, app in
            try await app.test(.live) { client in
                try await client.execute(uri: "/api/v1/echo/bytes", method: .post, headers: [.transferEncoding: "chunked"],
                                         body: ByteBuffer(repeating: 1, count: 5000)) { response in
                    #expect(response.status == .contentTooLarge)
                }
            }
        }
    }

    @Test func incomingRequestIDIsKeptAndEchoed() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/echo/context", method: .get, headers: [.requestID: "abc-123"]) { response in
                    #expect(response.headers[.requestID] == "abc-123")
                    #expect((json(response.body)["request_id"] as? String == "abc-123"))
                }
                try await client.execute(uri: "/api/v1/echo/context", method: .get, headers: [.requestID: "bad\"id with spaces"]) { response in
                    let id = try #require(response.headers[.requestID])
                    #expect(id != "bad\"id with spaces")
                    #expect(UUID(uuidString: id) != nil)
                }
            }
        }
    }

    @Test func traceparentIsContinued() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/echo/context", method: .get,
                                         headers: [.traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]) { response in
                    let body = json(response.body)
                    #expect(body["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
                    #expect(body["parent"] as? String == "00f067aa0ba902b7")
                }
            }
        }
    }

    @Test func metricsAreLabelledByRoutePatternAndStatusClass() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                for id in ["a", "b", "c"] {
                    try await client.execute(uri: "/api/v1/echo/items/\(id)", method: .get) { #expect($0.status == .ok) }
                }
                try await client.execute(uri: "/api/v1/echo/conflict", method: .get) { _ in }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    let text = String(buffer: response.body)
                    #expect(text.contains("# TYPE bourse_http_requests_total counter"))
                    #expect(text.contains(#"bourse_http_requests_total{service="echo",method="GET",route="/api/v1/echo/items/{id}",status="2xx"} 3"#))
                    #expect(text.contains(#"route="/api/v1/echo/conflict",status="4xx"} 1"#))
                    #expect(!text.contains("/api/v1/echo/items/a"))
                    #expect(text.contains("bourse_http_request_duration_seconds_bucket"))
                }
            }
        }
    }

    @Test func detailedHealthReportsTheDatabaseAndFailsWith503WhenACheckFails() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/health/detailed", method: .get) { response in
                    #expect(response.status == .ok)
                    let checks = try #require(json(response.body)["checks"] as? [String: [String: Any]])
                    #expect(checks["database"]?["status"] as? String == "pass")
                    #expect(checks["peer"]?["status"] as? String == "pass")
                }
            }
        }
        try await TestSupport.withService(EchoService.self, settings: ["instance.id": "failing"]) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/health/detailed", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let body = json(response.body)
                    #expect(body["status"] as? String == "fail")
                }
                try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            }
        }
    }

    @Test func configStatusShowsSourcesAndRedactsSecrets() async throws {
        let dir = TestSupport.temporaryDirectory()
        try await TestSupport.withService(EchoService.self, settings: ["database.url": "sqlite://\(dir)/x.sqlite", "log.level": "debug"]) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/status/config", method: .get) { response in
                    let body = json(response.body)
                    let keys = try #require(body["keys"] as? [String: [String: Any]])
                    #expect(keys["log.level"]?["value"] as? String == "debug")
                    #expect(keys["log.level"]?["source"] as? String == "command-line")
                    // A secret URL is shown without its password; an SQLite path has none.
                    #expect(keys["database.url"]?["value"] as? String == "sqlite://\(dir)/x.sqlite")
                    #expect(keys["database.url"]?["secret"] as? Bool == true)
                    #expect(keys["http.host"]?["source"] as? String == "default")
                }
            }
        }
    }

    @Test func aRouteWhoseCallerStoppedWaitingIsCancelledWith504() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                let before = EchoService.cancelledSleeps.load(ordering: .relaxed)
                let start = ContinuousClock.now
                try await client.execute(uri: "/api/v1/echo/sleep", method: .get,
                                         headers: [HTTPField.Name("X-Bourse-Timeout-Ms")!: "200"]) { response in
                    #expect(response.status == .gatewayTimeout)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                // Far below the route's 30 s sleep (a parallel test run on two cores can stall a task for seconds).
                #expect(ContinuousClock.now - start < .seconds(20))
                #expect(EchoService.cancelledSleeps.load(ordering: .relaxed) > before)
            }
        }
    }

    @Test func openAPIContractIncludesServiceAndCommonPaths() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                    let text = String(buffer: response.body)
                    #expect(text.contains("\n\"openapi\": \"3.1.0\"\n"))
                    #expect(text.contains("\n  \"/api/v1/echo/json\":\n"))
                    #expect(text.contains("\n  \"/health/detailed\":\n"))
                    #expect(text.contains("\n  \"/metrics\":\n"))
                }
            }
        }
    }
}
