import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Gateway
import ServiceKit

@Suite struct RegistryRoutesTests {
    func object(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    func registration(_ id: String, url: String = "http://127.0.0.1:9001") -> ByteBuffer {
        ByteBuffer(string: #"{"service":"data","instance_id":"\#(id)","url":"\#(url)","version":"1.2.3","weight":3}"#)
    }

    @Test func registerHeartbeatListAndDeregister() async throws {
        try await TestSupport.withService(GatewayService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/gateway/register", method: .post, body: registration("data-1")) { response in
                    #expect(response.status == .created)
                    #expect(object(response.body)["instance_id"] as? String == "data-1")
                    #expect(object(response.body)["ttl_seconds"] as? Double == 10)
                }
                try await client.execute(uri: "/api/v1/gateway/register", method: .post, body: registration("data-1")) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/gateway/instances/data-1/heartbeat", method: .put) { #expect($0.status == .ok) }
                try await client.execute(uri: "/api/v1/gateway/services", method: .get) { response in
                    let services = object(response.body)["services"] as? [[String: Any]] ?? []
                    #expect(services.count == 1)
                    #expect(services.first?["name"] as? String == "data")
                    #expect(services.first?["healthy_instances"] as? Int == 1)
                    let instance = (services.first?["instances"] as? [[String: Any]])?.first ?? [:]
                    #expect(instance["url"] as? String == "http://127.0.0.1:9001")
                    #expect(instance["health"] as? String == "up")
                    #expect(instance["weight"] as? Int == 3)
                    #expect(instance["version"] as? String == "1.2.3")
                    #expect(instance["last_heartbeat"] is String)
                }
                try await client.execute(uri: "/api/v1/gateway/health/data", method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: "/api/status/services", method: .get) { response in
                    let services = object(response.body)["services"] as? [String: [String: Any]]
                    #expect(services?["data"]?["healthy_instances"] as? Int == 1)
                }
                try await client.execute(uri: "/api/v1/gateway/instances/data-1", method: .delete) { #expect($0.status == .noContent) }
                try await client.execute(uri: "/api/v1/gateway/instances/data-1", method: .delete) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/api/v1/gateway/instances/data-1/heartbeat", method: .put) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                try await client.execute(uri: "/api/v1/gateway/health/data", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] == "2")
                }
                try await client.execute(uri: "/api/v1/gateway/health/nothing", method: .get) { #expect($0.status == .notFound) }
            }
        }
    }

    @Test func invalidRegistrationListsEveryProblemAndRegistersNothing() async throws {
        try await TestSupport.withService(GatewayService.self) { service, _, app in
            try await app.test(.router) { client in
                let body = ByteBuffer(string: #"{"service":"Data!","instance_id":"a b","url":"ftp://x/y?z","version":"","weight":0}"#)
                try await client.execute(uri: "/api/v1/gateway/register", method: .post, body: body) { response in
                    #expect(response.status == .unprocessableContent)
                    let fields = (object(response.body)["errors"] as? [[String: String]] ?? []).compactMap { $0["field"] }
                    #expect(Set(fields) == ["/service", "/instance_id", "/url", "/version", "/weight"])
                }
                try await client.execute(uri: "/api/v1/gateway/register", method: .post, body: ByteBuffer(string: "{")) { response in
                    #expect(response.status == .badRequest)
                }
            }
            #expect(service.pool.snapshot().isEmpty)
        }
    }
}
