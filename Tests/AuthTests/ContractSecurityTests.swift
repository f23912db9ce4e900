import Testing
@testable import Auth
@testable import Gateway
import MarketData
@testable import ServiceKit

/// Every operation under `/api/v1/` in every contract states what it needs, from the same policy the gateway
/// and the service enforce.
@Suite struct ContractSecurityTests {
    @Test(arguments: [GatewayService.descriptor, AuthService.descriptor, MarketDataService.descriptor])
    func everyOperationDeclaresItsSecurityRequirement(descriptor: ServiceDescriptor) {
        let document = OpenAPIDocument.render(descriptor)
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var path: String?
        var missing: [String] = []
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            guard let path, path.hasPrefix("/api/v1/"), line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") else { continue }
            let method = line.trimmingCharacters(in: .whitespaces).dropLast()
            guard ["get", "post", "put", "patch", "delete"].contains(String(method)) else { continue }
            if !(lines.indices.contains(index + 1) && lines[index + 1].hasPrefix("      security: ")) { missing.append("\(method) \(path)") }
        }
        #expect(missing.isEmpty, "operations without security: \(missing)")
        #expect(document.contains("securitySchemes:"))
    }

    @Test func authContractMarksLoginPublicAndAdministrationAdminOnly() {
        let document = OpenAPIDocument.render(AuthService.descriptor)
        #expect(document.contains("  /api/v1/auth/login:\n    post:\n      security: []"))
        #expect(document.contains("  /api/v1/auth/users:\n    get:\n      security: [{bearer: ['admin']}, {apiKey: ['admin']}]"))
    }
}
