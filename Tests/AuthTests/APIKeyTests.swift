import Foundation
import NIOHTTP1
import SQLKit
import Testing
import ServiceKit

@Suite(.serialized) struct APIKeyTests {
    func createKey(_ platform: Platform, token: String, _ body: [String: Any]) async throws -> (status: Int, key: String?, id: String?) {
        let reply = try await platform.call(.POST, "/api/v1/auth/api-keys", token: token, json: body)
        let json = try? reply.json()
        return (reply.status, json?["key"] as? String, (json?["api_key"] as? [String: Any])?["id"] as? String)
    }

    @Test func aKeyWorksInBothHeadersWithinItsScopesOnly() async throws {
        try await Platform.run(gatewaySettings: ["gateway.api_key_cache_seconds": "0"]) { platform in
            let trader = try await platform.user("kim", roles: ["trader"])
            let made = try await createKey(platform, token: trader.access, ["name": "reader", "scopes": ["data:read"]])
            #expect(made.status == 201)
            let key = try #require(made.key)
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", headers: [("X-API-Key", key)]).status == 200)
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", headers: [("Authorization", "ApiKey \(key)")]).status == 200)
            // The owner may write portfolios; this key may not.
            #expect(try await platform.call(.POST, "/api/v1/portfolio/orders", token: trader.access, json: [:]).status == 200)
            #expect(try await platform.call(.POST, "/api/v1/portfolio/orders", headers: [("X-API-Key", key)], json: [:]).status == 403)
            // The listing never shows the secret.
            let list = try await platform.call(.GET, "/api/v1/auth/api-keys", token: trader.access)
            #expect(list.status == 200)
            #expect(!list.text.contains(key))
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", headers: [("X-API-Key", key + "x")]).status == 401)
            // A key cannot mint keys.
            let minted = try await platform.call(.POST, "/api/v1/auth/api-keys", headers: [("X-API-Key", key)], json: ["name": "child"])
            #expect(minted.status == 403)
        }
    }

    @Test func aKeyCannotBeWiderThanItsOwner() async throws {
        try await Platform.run { platform in
            let viewer = try await platform.user("val", roles: ["viewer"])
            let made = try await createKey(platform, token: viewer.access, ["name": "greedy", "scopes": ["data:read", "portfolio:write", "admin"]])
            #expect(made.status == 422)
            #expect(made.key == nil)
            let list = try await platform.call(.GET, "/api/v1/auth/api-keys", token: viewer.access)
            #expect((try list.json()["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func revokedAndExpiredKeysAreRefused() async throws {
        try await Platform.run { platform in
            let analyst = try await platform.user("ann", roles: ["analyst"])
            let first = try await createKey(platform, token: analyst.access, ["name": "one", "expires_in_days": 30])
            let second = try await createKey(platform, token: analyst.access, ["name": "two"])
            let (key1, id1) = (try #require(first.key), try #require(first.id))
            let key2 = try #require(second.key)
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", headers: [("X-API-Key", key1)]).status == 200)
            #expect(try await platform.call(.DELETE, "/api/v1/auth/api-keys/\(id1)", token: analyst.access).status == 204)
            // The gateway had the key cached as valid: the revocation feed overrides the cache.
            await platform.syncRevocations()
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", headers: [("X-API-Key", key1)]).status == 401)
            // Someone else cannot revoke (or learn about) another user's key.
            let other = try await platform.user("oscar", roles: ["viewer"])
            let id2 = try #require(second.id)
            #expect(try await platform.call(.DELETE, "/api/v1/auth/api-keys/\(id2)", token: other.access).status == 404)
            // Expiry: move the (never used, so never cached) key's expiry into the past; no test waits a day.
            try await platform.authDatabase.withSQL { sql in
                try await sql.raw("UPDATE api_keys SET expires_at = \(bind: Int64(Date().timeIntervalSince1970) - 1) WHERE id = \(bind: id2)").run()
            }
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", headers: [("X-API-Key", key2)]).status == 401)
        }
    }
}
