import Foundation
import NIOHTTP1
import Testing
@testable import Gateway
import ServiceKit

/// Per-principal quotas at the live gateway: the count let through over a window matches GCRA's promise
/// (a full burst, then the sustained rate) within ±5%, and one user's use never spends another's quota.
@Suite(.serialized) struct RateLimitTests {
    @Test func aUsersQuotaHoldsWithinFivePercentOverAWindowAndIsTheirsAlone() async throws {
        try await Platform.run(gatewaySettings: ["gateway.rate_limits": "viewer:read=5/s,admin:*=100000/min,*:auth=1000/min"]) { platform in
            let heavy = try await platform.user("heavy", roles: ["viewer"])
            let light = try await platform.user("light", roles: ["viewer"])
            // Sixteen senders at once keep the offered load well above the quota even on a busy machine (a debug build
            // of three services under a parallel test run can take hundreds of milliseconds a request).
            let start = ContinuousClock.now
            struct Tally: Sendable {
                var allowed = 0
                var other = 0
                var refused: Platform.Reply?
                var lastSent = ContinuousClock.now
            }
            let tallies = try await withThrowingTaskGroup(of: Tally.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var tally = Tally()
                        while ContinuousClock.now - start < .seconds(6) {
                            tally.lastSent = .now
                            let reply = try await platform.call(.GET, "/api/v1/data/instruments", token: heavy.access)
                            switch reply.status {
                            case 200: tally.allowed += 1
                            case 429: tally.refused = reply
                            default: tally.other += 1
                            }
                        }
                        return tally
                    }
                }
                return try await group.reduce(into: [Tally]()) { $0.append($1) }
            }
            // GCRA counts arrivals: the window ends with the last request sent.
            let window = ((tallies.map(\.lastSent).max() ?? start) - start).inSeconds
            let allowed = tallies.reduce(0) { $0 + $1.allowed }
            #expect(tallies.reduce(0) { $0 + $1.other } == 0, "answers other than 200 and 429")
            let refused = tallies.compactMap(\.refused).first
            let expected = 5 + 5 * window
            #expect(abs(Double(allowed) - expected) <= expected * 0.05, "\(allowed) allowed in \(window) s; GCRA promises \(expected)")
            let problem = try #require(refused)
            #expect(Int(problem.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
            #expect(problem.headers.first(name: "RateLimit-Limit") == "5")
            #expect(problem.headers.first(name: "RateLimit-Remaining") == "0")
            #expect(problem.headers.first(name: "Content-Type") == "application/problem+json")
            // The other viewer still has a full quota.
            let other = try await platform.call(.GET, "/api/v1/data/instruments", token: light.access)
            #expect(other.status == 200)
            #expect(Int(other.headers.first(name: "RateLimit-Remaining") ?? "") ?? 0 >= 3)
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
