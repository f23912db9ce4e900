import BourseTesting
import Testing
@testable import Auth
@testable import Gateway
import MarketData
@testable import ServiceKit

/// Every operation in every contract states what it needs, from the same policy the gateway and the service
/// enforce; and the auth service serves exactly the operations its contract declares.
@Suite struct ContractSecurityTests {
    /// The services this target links (the ETL service is not a dependency of AuthTests), by name.
    static let descriptors = [GatewayService.descriptor, AuthService.descriptor, MarketDataService.descriptor]

    @Test(arguments: descriptors.map(\.name))
    func everyOperationsSecurityMatchesTheAccessPolicy(service: String) throws {
        let descriptor = try #require(Self.descriptors.first { $0.name == service })
        let document = OpenAPIDocument.document(descriptor)
        let paths = try #require(document["paths"]?.objectValue)
        var mismatches: [String] = []
        var checked = 0
        for endpoint in descriptor.contract {
            let method = endpoint.method.rawValue
            // What the gateway and the service enforce: the policy for `/api/v1` (no rule: admin only); the
            // declaration elsewhere (operational routes, which the policy does not govern).
            let expected: AccessPolicy.Requirement = endpoint.path.hasPrefix("/api/v1/")
                ? descriptor.access.requirement(method: method, path: endpoint.path) ?? .scope(Scope.admin)
                : endpoint.access
            guard let operation = paths[endpoint.path]?[method.lowercased()] else {
                mismatches.append("\(method) \(endpoint.path): not in the document")
                continue
            }
            checked += 1
            if operation["security"] != Self.security(expected) {
                mismatches.append("\(method) \(endpoint.path): security \(String(describing: operation["security"])), policy \(expected)")
            }
            if operation["x-bourse-access"] != .string(expected.description) {
                mismatches.append("\(method) \(endpoint.path): x-bourse-access \(String(describing: operation["x-bourse-access"])), policy \(expected)")
            }
        }
        #expect(mismatches == [])
        // Every operation of the document was checked (none is rendered that the contract does not declare).
        #expect(checked == paths.values.reduce(0) { $0 + ($1.objectValue?.count ?? 0) })
        #expect(document["components"]?["securitySchemes"]?["bearer"] != nil)
        #expect(document["components"]?["securitySchemes"]?["apiKey"] != nil)
    }

    /// The OpenAPI security requirement of an access requirement: none, any credential, or a scope.
    static func security(_ requirement: AccessPolicy.Requirement) -> JSONValue {
        switch requirement {
        case .open: return .array([])
        case .authenticated: return .array([.object(["bearer": .array([])]), .object(["apiKey": .array([])])])
        case .scope(let scope):
            return .array([.object(["bearer": .array([.string(scope)])]), .object(["apiKey": .array([.string(scope)])])])
        }
    }

    /// The auth policy is what it was before the contract was declared in Swift: signing up, logging in,
    /// refreshing and the key set public; logout, who-am-I and the caller's own API keys any credential;
    /// everything else admin.
    @Test func authPolicyMarksSessionRoutesPublicKeysAuthenticatedAndAdministrationAdminOnly() throws {
        let access = AuthService.descriptor.access
        let expected: [(String, String, AccessPolicy.Requirement)] = [
            ("POST", "/api/v1/auth/register", .open),
            ("POST", "/api/v1/auth/login", .open),
            ("POST", "/api/v1/auth/refresh", .open),
            ("GET", "/api/v1/auth/.well-known/jwks.json", .open),
            ("POST", "/api/v1/auth/logout", .authenticated),
            ("GET", "/api/v1/auth/me", .authenticated),
            ("GET", "/api/v1/auth/api-keys", .authenticated),
            ("POST", "/api/v1/auth/api-keys", .authenticated),
            ("DELETE", "/api/v1/auth/api-keys/k1", .authenticated),
            ("GET", "/api/v1/auth/users", .scope(Scope.admin)),
            ("POST", "/api/v1/auth/users", .scope(Scope.admin)),
            ("GET", "/api/v1/auth/users/u1", .scope(Scope.admin)),
            ("PATCH", "/api/v1/auth/users/u1", .scope(Scope.admin)),
            ("POST", "/api/v1/auth/keys/rotate", .scope(Scope.admin)),
            ("POST", "/api/v1/auth/introspect", .scope(Scope.admin)),
            ("GET", "/api/v1/auth/revocations", .scope(Scope.admin)),
        ]
        for (method, path, requirement) in expected {
            #expect(access.requirement(method: method, path: path) == requirement, "\(method) \(path)")
        }
        // A route nobody declared is admin-only (no rule matches).
        #expect(access.requirement(method: "GET", path: "/api/v1/auth/secrets") == nil)

        let paths = try #require(OpenAPIDocument.document(AuthService.descriptor)["paths"])
        #expect(paths["/api/v1/auth/login"]?["post"]?["security"] == .array([]))
        #expect(paths["/api/v1/auth/users"]?["get"]?["security"] == Self.security(.scope(Scope.admin)))
    }

    @Test func servedRoutesMatchTheContract() async throws {
        let served = try await TestSupport.servedRoutes(AuthService.self, settings: ["auth.bcrypt_cost": "10"])
        #expect(ContractCheck.differences(served: served, contract: AuthService.descriptor.contract) == [])
    }
}

extension JSONValue {
    fileprivate subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    fileprivate var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }
}
