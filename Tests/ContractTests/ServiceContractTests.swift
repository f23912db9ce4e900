import BourseTesting
import Foundation
import ServiceKit
import Services
import Testing

/// Every service in the catalogue, checked against its own contract: what it serves is what it declares, and
/// the document states who may call each operation and every problem it can answer.
@Suite struct ServiceContractTests {
    static let services = ServiceCatalog.names

    @Test(arguments: services)
    func servedRoutesAreExactlyTheContract(service: String) async throws {
        let type = try #require(ServiceCatalog.named(service))
        let served = try await Self.routes(of: type)
        #expect(ContractCheck.differences(served: served, contract: type.descriptor.contract) == [])
    }

    @Test(arguments: services)
    func everyOperationsAccessRuleIsTheOneTheServiceEnforces(service: String) throws {
        let descriptor = try #require(ServiceCatalog.named(service)).descriptor
        for endpoint in descriptor.endpoints where endpoint.path.hasPrefix("/api/v1/") {
            // A concrete path for the template: every parameter segment filled in.
            let path = endpoint.path.split(separator: "/").map { $0.hasPrefix("{") ? "x1" : String($0) }.joined(separator: "/")
            let requirement = descriptor.access.requirement(method: endpoint.method.rawValue, path: "/" + path)
            #expect(requirement == endpoint.access, "\(endpoint.method) \(endpoint.path)")
        }
    }

    @Test(arguments: services)
    func securedOperationsDocumentUnauthorizedForbiddenAndRateLimited(service: String) throws {
        let descriptor = try #require(ServiceCatalog.named(service)).descriptor
        let paths = try #require(Self.object(OpenAPIDocument.document(descriptor))?["paths"].flatMap(Self.object))
        var checked = 0
        for endpoint in descriptor.contract {
            let operation = try #require(paths[endpoint.path].flatMap(Self.object)?[endpoint.method.rawValue.lowercased()].flatMap(Self.object))
            let responses = try #require(operation["responses"].flatMap(Self.object))
            if endpoint.access != .open {
                for code in ["401", "403", "429"] { #expect(responses[code] != nil, "\(endpoint.method) \(endpoint.path) lacks \(code)") }
                checked += 1
            }
            if endpoint.body != nil {
                for code in ["400", "413", "422"] { #expect(responses[code] != nil, "\(endpoint.method) \(endpoint.path) lacks \(code)") }
            }
            #expect(operation["security"] != nil)
        }
        #expect(checked > 0)
    }

    @Test(arguments: services)
    func operationIdentifiersAreUnique(service: String) throws {
        let descriptor = try #require(ServiceCatalog.named(service)).descriptor
        let document = OpenAPIDocument.render(descriptor)
        let ids = document.split(separator: "\n").filter { $0.contains("\"operationId\":") }
        #expect(ids.count == descriptor.contract.count)
        #expect(Set(ids).count == ids.count)
    }

    static func routes<S: BourseService>(of type: S.Type) async throws -> [ServiceRouter.Route] {
        try await TestSupport.servedRoutes(type)
    }

    static func object(_ value: JSONValue) -> [String: JSONValue]? {
        if case .object(let o) = value { return o }
        return nil
    }
}
