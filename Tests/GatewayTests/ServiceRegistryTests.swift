import Testing
@testable import Gateway
import ServiceKit

@Suite struct ServiceRegistryTests {
    func request(_ id: String, service: String = "data", port: Int = 9001) -> RegistrationRequest {
        RegistrationRequest(service: service, instanceID: id, url: "http://127.0.0.1:\(port)", version: "1")
    }

    @Test func registeringTwiceRenewsInsteadOfDuplicating() {
        let registry = ServiceRegistry(ttl: .seconds(10))
        #expect(registry.register(request("data-1")))
        #expect(!registry.register(request("data-1", port: 9002)))
        let instances = registry.snapshot().first { $0.name == "data" }?.instances ?? []
        #expect(instances.map(\.id) == ["data-1"])
        #expect(instances.first?.url == "http://127.0.0.1:9002")
    }

    @Test func heartbeatOfAnUnknownInstanceSaysSo() {
        let registry = ServiceRegistry(ttl: .seconds(10))
        #expect(!registry.heartbeat("ghost"))
        registry.register(request("data-1"))
        #expect(registry.heartbeat("data-1"))
    }

    @Test func instanceWithoutHeartbeatsExpiresAfterItsLease() async throws {
        let registry = ServiceRegistry(ttl: .milliseconds(300))
        registry.register(request("data-1"))
        registry.register(request("data-2", port: 9002))
        try await Task.sleep(for: .milliseconds(150))
        #expect(registry.heartbeat("data-2"))
        try await Task.sleep(for: .milliseconds(250))
        #expect(registry.pick("data") == .instance(registry.snapshot()[0].instances.first { $0.id == "data-2" }!))
        let removed = registry.expire()
        #expect(removed.map(\.id) == ["data-1"])
        #expect(registry.snapshot().first?.instances.map(\.id) == ["data-2"])
    }

    @Test func expiredButNotYetSweptInstanceGetsNoTraffic() async throws {
        let registry = ServiceRegistry(ttl: .milliseconds(100))
        registry.register(request("data-1"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(registry.pick("data") == .noHealthyInstance)
    }

    @Test func deregisterRemovesAtOnceAndServiceStaysKnown() {
        let registry = ServiceRegistry(ttl: .seconds(10))
        registry.register(request("data-1"))
        #expect(registry.deregister("data-1"))
        #expect(!registry.deregister("data-1"))
        #expect(registry.pick("data") == .noHealthyInstance)
        #expect(registry.pick("nothing") == .unknownService)
    }

    @Test func configuredServicesAreKnownBeforeTheyRegister() {
        let registry = ServiceRegistry(ttl: .seconds(10), knownServices: ["strategy"])
        #expect(registry.pick("strategy") == .noHealthyInstance)
    }

    @Test func pickRotatesRoundRobinOverLiveInstances() {
        let registry = ServiceRegistry(ttl: .seconds(10))
        for n in 1...3 { registry.register(request("data-\(n)", port: 9000 + n)) }
        var counts: [String: Int] = [:]
        for _ in 0..<300 {
            if case .instance(let i) = registry.pick("data") { counts[i.id, default: 0] += 1 }
        }
        #expect(counts == ["data-1": 100, "data-2": 100, "data-3": 100])
    }

    @Test func anInstanceIDMovesWhenItRegistersUnderAnotherService() {
        let registry = ServiceRegistry(ttl: .seconds(10))
        registry.register(request("x-1", service: "data"))
        registry.register(request("x-1", service: "auth"))
        #expect(registry.pick("data") == .noHealthyInstance)
        if case .instance(let i) = registry.pick("auth") { #expect(i.id == "x-1") } else { Issue.record("not moved") }
    }
}
