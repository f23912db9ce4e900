import Foundation
import NIOHTTP1
import Testing
@testable import Gateway
import ServiceKit

/// Per-principal quotas at the live gateway: the count let through over a window matches GCRA's promise
/// (a full burst, then the sustained rate) within ±5%, and one user's use never spends another's quota.
@Suite(.serialized) struct RateLimitTests {
    @Test func aUsersQuotaHoldsWithinFivePercentOverAWindowAndIsTheirsAlone() async throws {
        try await Platform.run(gatewaySettings: ["gateway.rate_limits": "viewer:read=50/s,admin:*=100000/min,*:auth=1000/min"]) { platform in
            let heavy = try await platform.user("heavy", roles: ["viewer"])
            let light = try await platform.user("light", roles: ["viewer"])
            let start = ContinuousClock.now
            var allowed = 0
            var refused: Platform.Reply?
            var last = start
            while ContinuousClock.now - start < .seconds(3) {
                let reply = try await platform.call(.GET, "/api/v1/data/instruments", token: heavy.access)
                last = .now
                if reply.status == 200 { allowed += 1 } else if reply.status == 429 { refused = reply }
            }
            let window = (last - start).inSeconds
            let expected = 50 + 50 * window
            #expect(abs(Double(allowed) - expected) <= expected * 0.05, "\(allowed) allowed in \(window) s; GCRA promises \(expected)")
            let problem = try #require(refused)
            #expect(Int(problem.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
            #expect(problem.headers.first(name: "RateLimit-Limit") == "50")
            #expect(problem.headers.first(name: "RateLimit-Remaining") == "0")
            #expect(problem.headers.first(name: "Content-Type") == "application/problem+json")
            // The other viewer still has a full quota.
            let other = try await platform.call(.GET, "/api/v1/data/instruments", token: light.access)
            #expect(other.status == 200)
            #expect(Int(other.headers.first(name: "RateLimit-Remaining") ?? "") ?? 0 >= 48)
        }
    }

    @Test func anonymousLoginAttemptsAreLimitedPerAddressUnderTheAuthClass() async throws {
        try await Platform.run(gatewaySettings: ["gateway.rate_limits": "*:auth=5/min,admin:*=100000/min"]) { platform in
            var statuses: [Int] = []
            for n in 0..<7 {
                statuses.append(try await platform.call(.POST, "/api/v1/auth/login", json: ["username": "u\(n)", "password": "whatever 1234"]).status)
            }
            #expect(statuses == [401, 401, 401, 401, 401, 429, 429], "\(statuses)")
        }
    }

    @Test func policiesParseRolesAndClassesAndRefuseNonsense() throws {
        let policy = try RateLimitPolicy.parse("anonymous:read=10/s,*:auth=5/min,viewer:*=100/h")
        #expect(policy.quota(role: "anonymous", routeClass: "read") == .init(limit: 10, period: .seconds(1)))
        #expect(policy.quota(role: "trader", routeClass: "auth") == .init(limit: 5, period: .seconds(60)))
        #expect(policy.quota(role: "viewer", routeClass: "write") == .init(limit: 100, period: .seconds(3600)))
        #expect(policy.quota(role: "trader", routeClass: "read") == nil)
        #expect(RateLimitPolicy.routeClass(method: "POST", path: "/api/v1/auth/login") == "auth")
        #expect(RateLimitPolicy.routeClass(method: "POST", path: "/api/v1/data/market") == "write")
        #expect(RateLimitPolicy.routeClass(method: "HEAD", path: "/api/v1/data/market/X") == "read")
        #expect(throws: ConfigurationError.self) { try RateLimitPolicy.parse("viewer:delete=1/s") }
        #expect(throws: ConfigurationError.self) { try RateLimitPolicy.parse("viewer:read=0/s") }
        #expect(throws: ConfigurationError.self) { try RateLimitPolicy.parse("viewer:read=5/day") }
    }
}
