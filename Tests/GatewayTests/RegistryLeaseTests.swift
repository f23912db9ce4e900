import Testing
@testable import Gateway
import ServiceKit

/// The gateway registry semantics (leases, heartbeats, expiry) of the shared UpstreamPool.
@Suite struct RegistryLeaseTests {
    func request(_ id: String, service: String = "data", port: Int = 9001) -> UpstreamPool.Instance {
        UpstreamPool.Instance(service: service, id: id, url: "http://127.0.0.1:\(port)", version: "1")
    }

    @Test func registeringTwiceRenewsInsteadOfDuplicating() {
        let registry = UpstreamPool()
        let ttl: Duration = .seconds(10)
        #expect(registry.upsert(request("data-1"), lease: ttl))
        #expect(!registry.upsert(request("data-1", port: 9002), lease: ttl))
        let instances = registry.snapshot().first { $0.name == "data" }?.instances.map(\.instance) ?? []
        #expect(instances.map(\.id) == ["data-1"])
        #expect(instances.first?.url == "http://127.0.0.1:9002")
    }

    @Test func heartbeatOfAnUnknownInstanceSaysSo() {
        let registry = UpstreamPool()
        let ttl: Duration = .seconds(10)
        #expect(!registry.renew("ghost", lease: ttl))
        registry.upsert(request("data-1"), lease: ttl)
        #expect(registry.renew("data-1", lease: ttl))
    }

    @Test func instanceWithoutHeartbeatsExpiresAfterItsLease() {
        let registry = UpstreamPool()
        let ttl: Duration = .milliseconds(300)
        let t0 = ContinuousClock.now
        registry.upsert(request("data-1"), lease: ttl, now: t0)
        registry.upsert(request("data-2", port: 9002), lease: ttl, now: t0)
        #expect(registry.renew("data-2", lease: ttl, now: t0 + .milliseconds(150)))
        let t1 = t0 + .milliseconds(400)
        if case .instance(let live) = registry.pick("data", now: t1) {
            #expect(live.id == "data-2")
            registry.finish(live, outcome: .success)
        } else {
            Issue.record("no live instance")
        }
        let removed = registry.expire(now: t1)
        #expect(removed.map(\.id) == ["data-1"])
        #expect(registry.snapshot().first?.instances.map(\.instance.id) == ["data-2"])
        #expect(registry.expire(now: t0 + .milliseconds(451)).map(\.id) == ["data-2"])
    }

    @Test func expiredButNotYetSweptInstanceGetsNoTraffic() async throws {
        let registry = UpstreamPool()
        let ttl: Duration = .milliseconds(100)
        registry.upsert(request("data-1"), lease: ttl)
        try await Task.sleep(for: .milliseconds(200))
        #expect(registry.pick("data") == .noHealthyInstance)
    }

    @Test func deregisterRemovesAtOnceAndServiceStaysKnown() {
        let registry = UpstreamPool()
        let ttl: Duration = .seconds(10)
        registry.upsert(request("data-1"), lease: ttl)
        #expect(registry.remove("data-1"))
        #expect(!registry.remove("data-1"))
        #expect(registry.pick("data") == .noHealthyInstance)
        #expect(registry.pick("nothing") == .unknownService)
    }

    @Test func configuredServicesAreKnownBeforeTheyRegister() {
        let registry = UpstreamPool(knownServices: ["strategy"])
        #expect(registry.pick("strategy") == .noHealthyInstance)
    }

    @Test func pickRotatesRoundRobinOverLiveInstances() {
        let registry = UpstreamPool()
        let ttl: Duration = .seconds(10)
        for n in 1...3 { registry.upsert(request("data-\(n)", port: 9000 + n), lease: ttl) }
        var counts: [String: Int] = [:]
        for _ in 0..<300 {
            if case .instance(let i) = registry.pick("data") {
                counts[i.id, default: 0] += 1
                registry.finish(i, outcome: .success)
            }
        }
        #expect(counts == ["data-1": 100, "data-2": 100, "data-3": 100])
    }

    @Test func anInstanceIDMovesWhenItRegistersUnderAnotherService() {
        let registry = UpstreamPool()
        let ttl: Duration = .seconds(10)
        registry.upsert(request("x-1", service: "data"), lease: ttl)
        registry.upsert(request("x-1", service: "auth"), lease: ttl)
        #expect(registry.pick("data") == .noHealthyInstance)
        if case .instance(let i) = registry.pick("auth") { #expect(i.id == "x-1") } else { Issue.record("not moved") }
    }
}
