import BourseTesting
import Foundation
import NIOHTTP1
import Testing
import ServiceKit

/// Login, refresh rotation, reuse detection and logout through the live gateway.
@Suite(.serialized) struct SessionFlowTests {
    @Test func aUserCanLogInCallAProtectedRouteRefreshAndLogOut() async throws {
        try await Platform.run { platform in
            let register = try await platform.call(.POST, "/api/v1/auth/register",
                                                   json: ["username": "alice", "email": "alice@example.com", "password": "violet tundra parade"])
            #expect(register.status == 201)
            #expect(try register.json()["roles"] as? [String] == ["viewer"])
            let tokens = try await platform.login("alice", "violet tundra parade")
            let me = try await platform.call(.GET, "/api/v1/auth/me", token: tokens.access)
            #expect(me.status == 200)
            #expect((try me.json()["user"] as? [String: Any])?["username"] as? String == "alice")
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", token: tokens.access).status == 200)

            let refreshed = try await platform.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": tokens.refresh])
            #expect(refreshed.status == 200)
            #expect(refreshed.headers.first(name: "Cache-Control") == "no-store")
            let next = try refreshed.json()
            let access = try #require(next["access_token"] as? String)
            let refresh = try #require(next["refresh_token"] as? String)
            #expect(refresh != tokens.refresh)
            #expect(try await platform.call(.GET, "/api/v1/auth/me", token: access).status == 200)

            #expect(try await platform.call(.POST, "/api/v1/auth/logout", token: access).status == 204)
            #expect(try await platform.call(.GET, "/api/v1/auth/me", token: access).status == 401)
            #expect(try await platform.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": refresh]).status == 401)
        }
    }

    /// The auth database on `engine` (the refresh rotation and the revocation feed lean on its locking).
    static func settings(_ engine: Database.Engine) async throws -> [String: String] {
        engine == .sqlite ? [:] : [ConfigKey.databaseURL.name: try await TestSupport.databaseURL(.postgres)]
    }

    @Test(arguments: TestSupport.engines)
    func reusingARefreshTokenRevokesTheWholeFamily(engine: Database.Engine) async throws {
        try await Platform.run(authSettings: try await Self.settings(engine)) { platform in
            let first = try await platform.user("bob", roles: ["trader"])
            let second = try await platform.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": first.refresh])
            #expect(second.status == 200)
            let secondRefresh = try #require(try second.json()["refresh_token"] as? String)
            let secondAccess = try #require(try second.json()["access_token"] as? String)
            // The stolen first token is replayed: refused, and the family (including the legitimate new token) dies.
            #expect(try await platform.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": first.refresh]).status == 401)
            #expect(try await platform.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": secondRefresh]).status == 401)
            await platform.syncRevocations()
            #expect(try await platform.call(.GET, "/api/v1/auth/me", token: secondAccess).status == 401)
            // Another login of the same user is a new family and works.
            let again = try await platform.login("bob", "a long enough test passphrase")
            #expect(try await platform.call(.GET, "/api/v1/auth/me", token: again.access).status == 200)
        }
    }

    @Test(arguments: TestSupport.engines)
    func twoConcurrentUsesOfOneRefreshTokenNeverBothSucceed(engine: Database.Engine) async throws {
        try await Platform.run(authSettings: try await Self.settings(engine)) { platform in
            let tokens = try await platform.user("carol", roles: ["viewer"])
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await platform.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": tokens.refresh]).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count <= 1, "\(statuses)")
            #expect(statuses.filter { $0 == 401 }.count >= 3, "\(statuses)")
        }
    }

    @Test func badRegistrationsAreRejectedWithEveryReasonAndCreateNothing() async throws {
        try await Platform.run { platform in
            let reply = try await platform.call(.POST, "/api/v1/auth/register", json: ["username": "X", "email": "nope", "password": "password1"])
            #expect(reply.status == 422)
            let errors = try #require(try reply.json()["errors"] as? [[String: String]])
            #expect(Set(errors.compactMap { $0["field"] }) == ["username", "email", "password"])
            #expect(try await platform.call(.POST, "/api/v1/auth/login", json: ["username": "x", "password": "password1"]).status == 401)
            let taken = try await platform.call(.POST, "/api/v1/auth/register", json: ["username": "admin", "password": "violet tundra parade"])
            #expect(taken.status == 409)
        }
    }

    @Test func repeatedFailedLoginsAreThrottledWithRetryAfter() async throws {
        try await Platform.run { platform in
            _ = try await platform.user("dave", roles: ["viewer"])
            var statuses: [Int] = []
            // Five failures are answered 401; then the account is blocked for 1 s, 2 s, 4 s… On a slow machine a
            // block may end before the next try (another 401, a longer block), so try until one is refused.
            while statuses.last != 429, statuses.count < 10 {
                statuses.append(try await platform.call(.POST, "/api/v1/auth/login", json: ["username": "dave", "password": "wrong guess 123"]).status)
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == 401 }, "\(statuses)")
            #expect(statuses.last == 429, "\(statuses)")
            // Blocked means blocked: the right password is refused too, with the time to wait.
            let blocked = try await platform.call(.POST, "/api/v1/auth/login", json: ["username": "dave", "password": "a long enough test passphrase"])
            #expect(blocked.status == 429)
            #expect(Int(blocked.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
        }
    }

    @Test(arguments: TestSupport.engines)
    func disablingAUserEndsTheirSessionsAndRefusesTheirTokens(engine: Database.Engine) async throws {
        try await Platform.run(authSettings: try await Self.settings(engine)) { platform in
            let user = try await platform.user("erin", roles: ["analyst"])
            let admin = try await platform.adminTokens()
            let me = try await platform.call(.GET, "/api/v1/auth/me", token: user.access)
            let id = try #require((try me.json()["user"] as? [String: Any])?["id"] as? String)
            let change = try await platform.call(.PATCH, "/api/v1/auth/users/\(id)", token: admin.access, json: ["disabled": true])
            #expect(change.status == 200)
            await platform.syncRevocations()
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", token: user.access).status == 401)
            #expect(try await platform.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": user.refresh]).status == 401)
            let login = try await platform.call(.POST, "/api/v1/auth/login", json: ["username": "erin", "password": "a long enough test passphrase"])
            #expect(login.status == 403)
        }
    }

    @Test func aRotatedKeySignsNewTokensWhileTheOldKeyStaysPublishedForItsTokens() async throws {
        try await Platform.run { platform in
            let admin = try await platform.adminTokens()
            let before = try await platform.call(.GET, "/api/v1/auth/.well-known/jwks.json")
            let oldKids = Set((try before.json()["keys"] as? [[String: Any]] ?? []).compactMap { $0["kid"] as? String })
            #expect(oldKids.count == 1)
            let rotated = try await platform.call(.POST, "/api/v1/auth/keys/rotate", token: admin.access)
            #expect(rotated.status == 200)
            let newKid = try #require(try rotated.json()["kid"] as? String)
            #expect(!oldKids.contains(newKid))
            let after = try await platform.call(.GET, "/api/v1/auth/.well-known/jwks.json")
            let kids = Set((try after.json()["keys"] as? [[String: Any]] ?? []).compactMap { $0["kid"] as? String })
            #expect(kids == oldKids.union([newKid]), "the retired key must stay published")
            // A token of the old key still works; a new login is signed by the new key, which the gateway fetches
            // on first sight of its kid.
            #expect(try await platform.call(.GET, "/api/v1/auth/me", token: admin.access).status == 200)
            let fresh = try await platform.adminTokens()
            let header = try #require(Data(base64URL: String(fresh.access.split(separator: ".")[0])))
            #expect((try JSONSerialization.jsonObject(with: header) as? [String: Any])?["kid"] as? String == newKid)
            try await Task.sleep(for: .seconds(1.1))  // past gateway.jwks_min_refresh_seconds of the test platform
            #expect(try await platform.call(.GET, "/api/v1/auth/me", token: fresh.access).status == 200)
        }
    }
}
