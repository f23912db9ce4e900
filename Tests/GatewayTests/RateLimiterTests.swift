import BourseTesting
import Foundation
import Testing
@testable import Gateway
import ServiceKit

@Suite struct RateLimiterTests {
    let quota = RateLimiter.Quota(limit: 100, period: .seconds(10))  // 10 per second sustained, bursts of 100

    @Test func aBurstUpToTheLimitPassesThenTheNextIsRefused() {
        let limiter = RateLimiter()
        let now = ContinuousClock.now
        for n in 0..<100 {
            let decision = limiter.check("k", quota: quota, now: now)
            #expect(decision.allowed)
            #expect(decision.remaining == 99 - n)
        }
        let refused = limiter.check("k", quota: quota, now: now)
        #expect(!refused.allowed)
        #expect(refused.retryAfterSeconds == 1)
        #expect(refused.resetSeconds == 10)
        #expect(limiter.rejected == 1)
    }

    @Test(arguments: [3.0, 10.0, 60.0])
    func sustainedTrafficIsHeldToTheRateWithinFivePercent(seconds: Double) {
        // A client sending 50 requests a second (5× the sustained rate) for `seconds`.
        let limiter = RateLimiter()
        let start = ContinuousClock.now
        var accepted = 0
        let sent = Int(seconds * 50)
        for i in 0..<sent {
            if limiter.check("k", quota: quota, now: start + .milliseconds(i * 20)).allowed { accepted += 1 }
        }
        // GCRA admits the burst (100) plus the sustained rate over the window (10/s).
        let expected = 100 + 10 * seconds
        let bounded = min(Double(sent), expected)
        #expect(abs(Double(accepted) - bounded) <= bounded * 0.05, "accepted \(accepted), expected about \(bounded)")
    }

    @Test func keysAreLimitedIndependently() {
        let limiter = RateLimiter()
        let now = ContinuousClock.now
        for _ in 0..<100 { _ = limiter.check("a", quota: quota, now: now) }
        #expect(!limiter.check("a", quota: quota, now: now).allowed)
        #expect(limiter.check("b", quota: quota, now: now).allowed)
    }

    @Test func idleKeysAreDroppedWhenTheTableIsFull() {
        let limiter = RateLimiter(maxKeys: 10)
        let now = ContinuousClock.now
        for n in 0..<10 { _ = limiter.check("k\(n)", quota: quota, now: now) }
        _ = limiter.check("late", quota: quota, now: now + .seconds(60))
        #expect(limiter.trackedKeys == 1)
    }

    @Test func policyPicksTheMostSpecificQuota() throws {
        let policy = try RateLimitPolicy.parse("anonymous:read=60/min, anonymous:*=30/min, *:write=10/s")
        #expect(policy.quota(role: "anonymous", routeClass: "read") == .init(limit: 60, period: .seconds(60)))
        #expect(policy.quota(role: "anonymous", routeClass: "write") == .init(limit: 30, period: .seconds(60)))
        #expect(policy.quota(role: "trader", routeClass: "write") == .init(limit: 10, period: .seconds(1)))
        #expect(policy.quota(role: "trader", routeClass: "read") == nil)
        #expect(throws: ConfigurationError.self) { try RateLimitPolicy.parse("anonymous=5/min") }
        #expect(throws: ConfigurationError.self) { try RateLimitPolicy.parse("anonymous:read=5/day") }
        #expect(try RateLimitPolicy.parse("").quotas.isEmpty)
        // A role's own catch-all beats a class rule for every role; the catch-all of all catches the rest.
        let layered = try RateLimitPolicy.parse("anonymous:*=30/min, *:read=5/s, *:*=1/s")
        #expect(layered.quota(role: "anonymous", routeClass: "read") == .init(limit: 30, period: .seconds(60)))
        #expect(layered.quota(role: "trader", routeClass: "read") == .init(limit: 5, period: .seconds(1)))
        #expect(layered.quota(role: "trader", routeClass: "auth") == .init(limit: 1, period: .seconds(1)))
        var changed = layered
        changed.quotas["trader:read"] = .init(limit: 7, period: .seconds(1))
        #expect(changed.quota(role: "trader", routeClass: "read") == .init(limit: 7, period: .seconds(1)))
    }
}
