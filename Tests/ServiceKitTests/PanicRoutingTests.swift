import Synchronization
import Testing
@testable import ServiceKit

/// When too few instances of a service are live, requests go to every registered, lease-holding one instead of
/// every caller getting 503.
@Suite struct PanicRoutingTests {
    final class Recorder: Sendable {
        let events = Mutex<[String]>([])
    }

    func pool(instances: Int, threshold: Double = 0, events: Recorder? = nil) -> UpstreamPool {
        var configuration = UpstreamPool.Configuration()
        configuration.outlier.maxEjectedShare = 1
        configuration.panicThreshold = threshold
        let pool = UpstreamPool(configuration: configuration) { event in
            if case .panic(let service) = event { events?.events.withLock { $0.append(service) } }
        }
        for n in 1...instances {
            pool.upsert(.init(service: "data", id: "data-\(n)", url: "http://127.0.0.1:\(9000 + n)", version: "1"), lease: .seconds(60))
        }
        return pool
    }

    func id(_ pick: UpstreamPool.Pick) -> String? {
        if case .instance(let i) = pick { return i.id }
        return nil
    }

    @Test func aLoneEjectedInstanceStillGetsRequestsAndEachIsCounted() {
        let events = Recorder()
        let p = pool(instances: 1, events: events)
        let one = p.snapshot()[0].instances[0].instance
        p.finish(one, outcome: .connectFailure)
        #expect(p.snapshot()[0].instances[0].ejectedFor != nil)
        #expect(id(p.pick("data")) == "data-1")
        #expect(id(p.pick("data")) == "data-1")
        #expect(events.events.withLock { $0 } == ["data", "data"])
    }

    @Test func everyInstanceEjectedSpreadsOverAllOfThem() {
        let p = pool(instances: 3)
        for instance in p.snapshot()[0].instances.map(\.instance) { p.finish(instance, outcome: .connectFailure) }
        #expect(p.snapshot()[0].instances.allSatisfy { $0.ejectedFor != nil })
        var seen: [String: Int] = [:]
        for _ in 0..<30 { if let i = id(p.pick("data")) { seen[i, default: 0] += 1 } }
        #expect(seen == ["data-1": 10, "data-2": 10, "data-3": 10])
    }

    @Test func withALiveInstanceLeftThereIsNoPanicByDefault() {
        let events = Recorder()
        let p = pool(instances: 2, events: events)
        p.finish(p.snapshot()[0].instances[0].instance, outcome: .connectFailure)
        for _ in 0..<10 { #expect(id(p.pick("data")) == "data-2") }
        #expect(events.events.withLock { $0 }.isEmpty)
    }

    @Test func aThresholdPanicsBeforeTheLastInstanceIsLost() {
        let p = pool(instances: 4, threshold: 0.5)
        let all = p.snapshot()[0].instances.map(\.instance)
        for instance in all.prefix(3) { p.finish(instance, outcome: .connectFailure) }
        var seen = Set<String>()
        for _ in 0..<20 { if let i = id(p.pick("data")) { seen.insert(i) } }
        #expect(seen.count == 4)
    }

    @Test func anExpiredLeaseIsNoCandidateAndNoInstanceMeans503() async throws {
        var configuration = UpstreamPool.Configuration()
        configuration.outlier.maxEjectedShare = 1
        let p = UpstreamPool(configuration: configuration)
        p.upsert(.init(service: "data", id: "data-1", url: "http://127.0.0.1:9001", version: "1"), lease: .milliseconds(50))
        try await Task.sleep(for: .milliseconds(100))
        #expect(p.pick("data") == .noHealthyInstance)
        #expect(p.pick("nothing") == .unknownService)
    }
}

/// A call whose client went away counts for nothing.
@Suite struct AbandonedCallTests {
    @Test func anAbandonedCallNeitherResetsNorAddsToTheErrorCountAndFreesItsSlot() {
        var configuration = UpstreamPool.Configuration()
        configuration.outlier.consecutiveErrors = 3
        configuration.outlier.maxEjectedShare = 1
        let p = UpstreamPool(configuration: configuration)
        p.upsert(.init(service: "data", id: "data-1", url: "http://127.0.0.1:9001", version: "1"), lease: .seconds(60))
        let one = p.snapshot()[0].instances[0].instance
        for _ in 0..<2 { _ = p.pick("data"); p.finish(one, outcome: .serverError) }
        for _ in 0..<5 { _ = p.pick("data"); p.abandon(one) }
        #expect(p.snapshot()[0].instances[0].outstanding == 0)
        #expect(p.snapshot()[0].instances[0].ejectedFor == nil)
        _ = p.pick("data")
        p.finish(one, outcome: .serverError)
        #expect(p.snapshot()[0].instances[0].ejectedFor != nil)
    }

    @Test func anAbandonedHalfOpenProbeGivesItsSlotBack() {
        var configuration = CircuitBreaker.Configuration()
        configuration.windowSize = 4
        configuration.minimumCalls = 2
        configuration.openDuration = .seconds(1)
        configuration.halfOpenProbes = 1
        var breaker = CircuitBreaker(configuration: configuration)
        let now = ContinuousClock.now
        for _ in 0..<2 { _ = breaker.tryAcquire(now: now); breaker.record(failure: true, now: now) }
        let later = now + .seconds(2)
        let probe = breaker.tryAcquire(now: later), second = breaker.tryAcquire(now: later)
        #expect(probe && !second)
        breaker.abandon()
        let again = breaker.tryAcquire(now: later)
        #expect(again)
    }
}
