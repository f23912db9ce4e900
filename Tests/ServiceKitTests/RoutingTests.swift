import Foundation
import Testing
@testable import ServiceKit

/// Balancing, circuit breaking, outlier ejection and the retry budget: the routing core shared by the
/// gateway's proxy and the service-to-service client.
@Suite struct BalancingTests {
    func pool(_ policy: BalancingPolicy, weights: [Int] = [1, 1, 1]) -> UpstreamPool {
        var configuration = UpstreamPool.Configuration()
        configuration.defaultPolicy = policy
        let pool = UpstreamPool(configuration: configuration)
        for (n, weight) in weights.enumerated() {
            pool.upsert(.init(service: "data", id: "data-\(n + 1)", url: "http://127.0.0.1:\(9001 + n)", version: "1", weight: weight), lease: nil)
        }
        return pool
    }

    func distribution(_ pool: UpstreamPool, requests: Int) -> [String: Int] {
        var counts: [String: Int] = [:]
        for _ in 0..<requests {
            guard case .instance(let i) = pool.pick("data") else { Issue.record("no instance"); continue }
            counts[i.id, default: 0] += 1
            pool.finish(i, outcome: .success)
        }
        return counts
    }

    @Test func roundRobinSpreadsEvenly() {
        #expect(distribution(pool(.roundRobin), requests: 3000) == ["data-1": 1000, "data-2": 1000, "data-3": 1000])
    }

    @Test func weightedRespectsRegisteredWeightsAndInterleaves() {
        let p = pool(.weighted, weights: [1, 2, 5])
        #expect(distribution(p, requests: 8000) == ["data-1": 1000, "data-2": 2000, "data-3": 5000])
        // Smooth: the heaviest instance never gets more than its share in a row (no bursts of 5).
        var sequence: [String] = []
        for _ in 0..<8 {
            if case .instance(let i) = p.pick("data") { sequence.append(i.id); p.finish(i, outcome: .success) }
        }
        let longestRun = sequence.reduce(into: (run: 0, best: 0, last: "")) { acc, id in
            acc.run = id == acc.last ? acc.run + 1 : 1
            acc.best = max(acc.best, acc.run)
            acc.last = id
        }.best
        #expect(longestRun <= 2)
    }

    @Test func leastOutstandingFavoursTheIdleInstance() {
        let p = pool(.leastOutstanding)
        // data-1 and data-2 each hold 10 requests that have not finished; data-3 is idle.
        var held: [UpstreamPool.Instance] = []
        while held.filter({ $0.id != "data-3" }).count < 20 {
            if case .instance(let i) = p.pick("data") {
                if i.id == "data-3" { p.finish(i, outcome: .success) } else { held.append(i) }
            }
        }
        let counts = distribution(p, requests: 3000)
        // With two random choices among three, the idle instance wins every draw it is in: 2/3 of them.
        #expect(Double(counts["data-3", default: 0]) / 3000 > 0.6)
        #expect(counts["data-1", default: 0] + counts["data-2", default: 0] < 1200)
    }

    @Test func policiesParsePerService() throws {
        let parsed = try BalancingPolicy.parse("data=least-outstanding, *=weighted")
        #expect(parsed.default == .weighted)
        #expect(parsed.perService == ["data": .leastOutstanding])
        #expect(throws: ConfigurationError.self) { try BalancingPolicy.parse("data=random") }
    }
}

@Suite struct CircuitBreakerTests {
    var configuration: CircuitBreaker.Configuration {
        var c = CircuitBreaker.Configuration()
        c.windowSize = 10
        c.minimumCalls = 4
        c.failureRateThreshold = 0.5
        c.openDuration = .seconds(5)
        c.halfOpenProbes = 2
        return c
    }

    @Test func staysClosedBelowTheMinimumNumberOfCalls() {
        var breaker = CircuitBreaker(configuration: configuration)
        let now = ContinuousClock.now
        for _ in 0..<3 {
            let admitted1 = breaker.tryAcquire(now: now)
            #expect(admitted1)
            breaker.record(failure: true, now: now)
        }
        #expect(breaker.state == .closed)
    }

    @Test func opensAtTheFailureRateThenHalfOpensAfterTheCoolDownWithLimitedProbes() {
        var breaker = CircuitBreaker(configuration: configuration)
        let t0 = ContinuousClock.now
        for failure in [false, true, false, true] {
            _ = breaker.tryAcquire(now: t0)
            breaker.record(failure: failure, now: t0)
        }
        #expect(breaker.state == .open(until: t0 + .seconds(5)))
        let admitted2 = breaker.tryAcquire(now: t0 + .seconds(4))
        #expect(!admitted2)
        // After the cool-down: half-open, two probes at most at once.
        let t1 = t0 + .seconds(5)
        let admitted3 = breaker.tryAcquire(now: t1)
        #expect(admitted3)
        let admitted4 = breaker.tryAcquire(now: t1)
        #expect(admitted4)
        let admitted5 = breaker.tryAcquire(now: t1)
        #expect(!admitted5)
        #expect(breaker.state == .halfOpen(inFlight: 2, successes: 0))
        breaker.record(failure: false, now: t1)
        #expect(breaker.state == .halfOpen(inFlight: 1, successes: 1))
        breaker.record(failure: false, now: t1)
        #expect(breaker.state == .closed)
    }

    @Test func recordReportsExactlyTheOutcomesThatChangeTheState() {
        var breaker = CircuitBreaker(configuration: configuration)
        let t0 = ContinuousClock.now
        var changes: [Bool] = []
        func record(_ failure: Bool, at now: ContinuousClock.Instant) {
            let before = breaker.state
            let changed = breaker.record(failure: failure, now: now)
            #expect(changed == (breaker.state != before))
            changes.append(changed)
        }
        // Closed: only the outcome that trips the circuit is a change.
        for failure in [false, true, false, true] { _ = breaker.tryAcquire(now: t0); record(failure, at: t0) }
        #expect(changes == [false, false, false, true])
        // Open: a late outcome changes nothing.
        record(false, at: t0)
        // Half-open: every outcome is a change (one more success, then closed).
        let t1 = t0 + .seconds(5)
        _ = breaker.tryAcquire(now: t1)
        _ = breaker.tryAcquire(now: t1)
        record(false, at: t1)
        record(false, at: t1)
        #expect(changes == [false, false, false, true, false, true, true])
        #expect(breaker.state == .closed)
    }

    @Test func aFailedProbeOpensTheCircuitAgain() {
        var breaker = CircuitBreaker(configuration: configuration)
        let t0 = ContinuousClock.now
        for _ in 0..<4 { _ = breaker.tryAcquire(now: t0); breaker.record(failure: true, now: t0) }
        let t1 = t0 + .seconds(6)
        let admitted6 = breaker.tryAcquire(now: t1)
        #expect(admitted6)
        breaker.record(failure: true, now: t1)
        #expect(breaker.state == .open(until: t1 + .seconds(5)))
    }

    @Test func theWindowSlidesSoOldOutcomesAgeOut() {
        var breaker = CircuitBreaker(configuration: configuration)
        let now = ContinuousClock.now
        func record(_ failures: [Bool]) {
            for failure in failures {
                _ = breaker.tryAcquire(now: now)
                breaker.record(failure: failure, now: now)
            }
        }
        // 6 successes then 4 failures: 40 % of the 10-call window, under the 50 % threshold.
        record(Array(repeating: false, count: 6) + Array(repeating: true, count: 4))
        #expect(breaker.state == .closed)
        // 10 successes push those failures out; 4 new failures are again 40 %: still closed.
        record(Array(repeating: false, count: 10) + Array(repeating: true, count: 4))
        #expect(breaker.state == .closed)
        // The 5th failure makes 50 % of the last 10 calls (only 9 of all 25): the window, not history, decides.
        record([true])
        #expect(breaker.state == .open(until: now + .seconds(5)))
    }
}

@Suite struct OutlierEjectionTests {
    func pool(instances: Int, baseEjection: Duration = .seconds(10), share: Double = 0.5) -> UpstreamPool {
        var configuration = UpstreamPool.Configuration()
        configuration.outlier.baseEjection = baseEjection
        configuration.outlier.maxEjection = .seconds(25)
        configuration.outlier.maxEjectedShare = share
        configuration.outlier.consecutiveErrors = 3
        let pool = UpstreamPool(configuration: configuration)
        for n in 1...instances {
            pool.upsert(.init(service: "data", id: "data-\(n)", url: "http://127.0.0.1:\(9000 + n)", version: "1"), lease: nil)
        }
        return pool
    }

    func instance(_ pool: UpstreamPool, _ id: String) -> UpstreamPool.Instance {
        pool.snapshot()[0].instances.first { $0.instance.id == id }!.instance
    }

    func status(_ pool: UpstreamPool, _ id: String) -> UpstreamPool.InstanceStatus {
        pool.snapshot()[0].instances.first { $0.instance.id == id }!
    }

    @Test func oneRefusedConnectionEjectsAtOnce() {
        let p = pool(instances: 2)
        p.finish(instance(p, "data-1"), outcome: .connectFailure)
        #expect(status(p, "data-1").ejectedFor != nil)
        for _ in 0..<10 {
            if case .instance(let i) = p.pick("data") { #expect(i.id == "data-2"); p.finish(i, outcome: .success) }
        }
    }

    @Test func consecutive5xxEjectAndSuccessResetsTheCount() {
        let p = pool(instances: 2)
        let one = instance(p, "data-1")
        p.finish(one, outcome: .serverError)
        p.finish(one, outcome: .serverError)
        p.finish(one, outcome: .success)
        p.finish(one, outcome: .serverError)
        p.finish(one, outcome: .serverError)
        #expect(status(p, "data-1").ejectedFor == nil)
        p.finish(one, outcome: .serverError)
        #expect(status(p, "data-1").ejectedFor != nil)
    }

    @Test func ejectionTimeGrowsOnRepeatUpToTheCap() {
        var detector = OutlierDetector()
        var configuration = OutlierDetector.Configuration()
        configuration.baseEjection = .seconds(10)
        configuration.maxEjection = .seconds(25)
        let now = ContinuousClock.now
        detector.eject(now: now, configuration: configuration)
        #expect(detector.ejectedUntil == now + .seconds(10))
        detector.eject(now: now, configuration: configuration)
        #expect(detector.ejectedUntil == now + .seconds(20))
        detector.eject(now: now, configuration: configuration)
        #expect(detector.ejectedUntil == now + .seconds(25))
        #expect(detector.ejections == 3)
    }

    @Test func noMoreThanTheMaximumShareIsEjectedAtOnce() {
        let p = pool(instances: 4, share: 0.5)
        for id in ["data-1", "data-2", "data-3", "data-4"] {
            p.finish(instance(p, id), outcome: .connectFailure)
        }
        let ejected = p.snapshot()[0].instances.filter { $0.ejectedFor != nil }.count
        #expect(ejected == 2)
        // Of a single instance, one may always be ejected.
        let single = pool(instances: 1, share: 0.1)
        single.finish(instance(single, "data-1"), outcome: .connectFailure)
        #expect(status(single, "data-1").ejectedFor != nil)
    }

    @Test func aRestartedInstanceAtANewURLStartsWithACleanRecord() {
        let p = pool(instances: 2)
        p.finish(instance(p, "data-1"), outcome: .connectFailure)
        #expect(status(p, "data-1").ejectedFor != nil)
        p.upsert(.init(service: "data", id: "data-1", url: "http://127.0.0.1:9999", version: "1"), lease: nil)
        #expect(status(p, "data-1").ejectedFor == nil)
        #expect(status(p, "data-1").live)
    }

    @Test func failingActiveHealthChecksTakeAnInstanceOutUntilItPasses() {
        let p = pool(instances: 2)
        let one = instance(p, "data-1")
        p.recordHealthCheck("data-1", url: one.url, passed: false)
        #expect(status(p, "data-1").live)
        p.recordHealthCheck("data-1", url: one.url, passed: false)
        #expect(!status(p, "data-1").live)
        for _ in 0..<5 {
            if case .instance(let i) = p.pick("data") { #expect(i.id == "data-2"); p.finish(i, outcome: .success) }
        }
        p.recordHealthCheck("data-1", url: one.url, passed: true)
        #expect(status(p, "data-1").live)
    }
}

@Suite struct RetryBudgetTests {
    @Test func retriesNeverExceedTheirShareOfRequests() {
        let budget = RetryBudget(ratio: 0.2)
        var retries = 0
        for _ in 0..<1000 {
            budget.deposit()
            // Every request would like to retry.
            if budget.withdraw() { retries += 1 }
        }
        #expect(retries == 200)
    }

    @Test func anExhaustedBudgetRefusesUntilRequestsRefillIt() {
        let budget = RetryBudget(ratio: 0.5)
        #expect(!budget.withdraw())
        budget.deposit()
        #expect(!budget.withdraw())
        budget.deposit()
        #expect(budget.withdraw())
        #expect(!budget.withdraw())
    }
}
