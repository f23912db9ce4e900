import BourseTesting
import Testing
@testable import Gateway
import ServiceKit

/// The gateway's contract is what it serves, and the edge decides its own paths as the endpoints declare.
@Suite struct GatewayContractTests {
    @Test func servedRoutesMatchTheContract() async throws {
        let served = try await TestSupport.servedRoutes(GatewayService.self)
        #expect(ContractCheck.differences(served: served, contract: GatewayService.descriptor.contract) == [])
        let secured = try await TestSupport.servedRoutes(GatewayService.self, settings: [ConfigKey.internalSecret.name: "test-secret"])
        #expect(ContractCheck.differences(served: secured, contract: GatewayService.descriptor.contract) == [])
    }

    @Test func theEdgeRequiresWhatTheEndpointsDeclare() async throws {
        let admin = AccessPolicy.Requirement.scope(Scope.admin)
        try await TestSupport.withService(GatewayService.self, settings: [ConfigKey.internalSecret.name: "test-secret"]) { service, _, _ in
            let edge = service.edge
            for endpoint in GatewayService.descriptor.endpoints {
                let path = endpoint.path.replacingOccurrences(of: "{instance_id}", with: "data-1").replacingOccurrences(of: "{service}", with: "data")
                #expect(edge.requirement(method: endpoint.method.rawValue, path: path) == endpoint.access, "\(endpoint.method) \(endpoint.path)")
            }
            #expect(edge.requirement(method: "GET", path: "/api/status/rate-limit") == .authenticated)
            #expect(edge.requirement(method: "POST", path: "/api/status/rate-limit") == .authenticated)
            #expect(edge.requirement(method: "GET", path: "/api/status/services") == admin)
            #expect(edge.requirement(method: "GET", path: "/api/status/config") == admin)
            #expect(edge.requirement(method: "GET", path: "/api/status/other") == admin)
            #expect(edge.requirement(method: "POST", path: "/api/v1/gateway/register") == admin)
            #expect(edge.requirement(method: "HEAD", path: "/api/v1/gateway/services") == admin)
            // No rule: admin only.
            #expect(edge.requirement(method: "GET", path: "/api/v1/gateway/register") == nil)
            #expect(edge.requirement(method: "GET", path: "/api/v1/gateway/unknown") == nil)
            #expect(edge.requirement(method: "GET", path: "/health") == .open)
            #expect(edge.requirement(method: "GET", path: "/openapi.yaml") == .open)
        }
        // A lone development gateway (no secret) leaves its registry and status pages open.
        try await TestSupport.withService(GatewayService.self) { service, _, _ in
            #expect(service.edge.requirement(method: "POST", path: "/api/v1/gateway/register") == .open)
            #expect(service.edge.requirement(method: "GET", path: "/api/status/rate-limit") == .open)
        }
    }

    @Test func theContractDescribesTheRegistryAndTheStatusPages() throws {
        guard case .object(let document) = OpenAPIDocument.document(GatewayService.descriptor),
              case .object(let paths)? = document["paths"], case .object(let components)? = document["components"],
              case .object(let schemas)? = components["schemas"] else { Issue.record("not an OpenAPI document"); return }
        for path in ["/api/v1/gateway/register", "/api/v1/gateway/instances/{instance_id}/heartbeat", "/api/v1/gateway/instances/{instance_id}",
                     "/api/v1/gateway/services", "/api/v1/gateway/health/{service}", "/api/status/services", "/api/status/rate-limit"] {
            #expect(paths[path] != nil, "\(path)")
        }
        for name in ["RegistrationRequest", "RegistrationLease", "RegistryListing", "AccessPolicy"] {
            #expect(schemas[name] != nil, "\(name)")
        }
        #expect(OpenAPIDocument.render(GatewayService.descriptor).contains("x-bourse-access"))
    }
}
