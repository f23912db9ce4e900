import Foundation
import NIOHTTP1
import Testing
import ServiceKit

/// Each role against representative routes of every kind, through the live gateway: the documented answer is
/// 2xx when the role's scopes include the route's and 403 otherwise (README, "Roles and scopes").
@Suite(.serialized) struct ScopeMatrixTests {
    struct Route: CustomStringConvertible, Sendable {
        let method: HTTPMethod
        let path: String
        let body: [String: String]?
        /// Roles that may call it.
        let allowed: Set<String>
        var description: String { "\(method.rawValue) \(path)" }
    }

    static let everyone: Set<String> = ["admin", "analyst", "trader", "viewer"]

    static let routes: [Route] = [
        Route(method: .GET, path: "/api/v1/data/instruments", body: nil, allowed: everyone),                       // data:read
        Route(method: .POST, path: "/api/v1/data/instruments", body: nil, allowed: ["admin", "analyst"]),           // data:write
        Route(method: .GET, path: "/api/v1/portfolio/positions", body: nil, allowed: everyone),                    // portfolio:read
        Route(method: .POST, path: "/api/v1/portfolio/orders", body: [:], allowed: ["admin", "analyst", "trader"]), // portfolio:write
        Route(method: .GET, path: "/api/v1/auth/me", body: nil, allowed: everyone),                                // authenticated
        Route(method: .GET, path: "/api/v1/auth/users", body: nil, allowed: ["admin"]),                            // admin
        Route(method: .GET, path: "/api/v1/gateway/services", body: nil, allowed: ["admin"]),                      // admin
        Route(method: .GET, path: "/api/status/config", body: nil, allowed: ["admin"]),                            // admin
    ]

    @Test func eachRoleGetsExactlyTheRoutesItsScopesAllow() async throws {
        try await Platform.run { platform in
            var tokens: [String: String] = ["admin": try await platform.adminTokens().access]
            for role in ["analyst", "trader", "viewer"] {
                tokens[role] = try await platform.user("m-\(role)", roles: [role]).access
            }
            for route in Self.routes {
                for role in Self.everyone.sorted() {
                    var body: [String: Any]? = route.body
                    if route.method == .POST, route.path == "/api/v1/data/instruments" {
                        body = ["symbol": "S\(role.prefix(3).uppercased())", "name": "Test", "currency": "USD", "type": "equity"]
                    }
                    let reply = try await platform.call(route.method, route.path, token: tokens[role], json: body)
                    if route.allowed.contains(role) {
                        #expect((200..<300).contains(reply.status), "\(role) → \(route): \(reply.status) \(reply.text)")
                    } else {
                        #expect(reply.status == 403, "\(role) → \(route): \(reply.status) \(reply.text)")
                        #expect(reply.headers.first(name: "WWW-Authenticate")?.contains("insufficient_scope") == true)
                    }
                }
            }
        }
    }

    @Test func publicRoutesNeedNoToken() async throws {
        try await Platform.run { platform in
            #expect(try await platform.call(.GET, "/health").status == 200)
            #expect(try await platform.call(.GET, "/metrics").status == 200)
            let jwks = try await platform.call(.GET, "/api/v1/auth/.well-known/jwks.json")
            #expect(jwks.status == 200)
            let keys = try #require(try jwks.json()["keys"] as? [[String: Any]])
            #expect(keys.first?["alg"] as? String == "ES256")
            #expect(keys.first?["d"] == nil)  // never the private part
            #expect(try await platform.call(.POST, "/api/v1/auth/login", json: ["username": "nobody", "password": "x"]).status == 401)
        }
    }
}
