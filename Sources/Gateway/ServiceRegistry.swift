import Foundation
import ServiceKit
import Synchronization

/// The gateway's table of service instances, each held by a lease that heartbeats renew.
///
/// A plain lock, not an actor: the proxy asks it for an instance on every request, and a lock held for a
/// few hundred nanoseconds is cheaper than an actor hop. Instances live in memory only; after a gateway
/// restart every instance's next heartbeat gets 404 and it registers again.
public final class ServiceRegistry: Sendable {
    public struct Instance: Sendable, Equatable {
        public let service: String
        public let id: String
        public let url: String
        public let version: String
        public let weight: Int
        public let registeredAt: Date
        public var lastHeartbeat: Date
        var leaseExpiry: ContinuousClock.Instant
    }

    /// The outcome of choosing an instance for a request.
    public enum Pick: Sendable, Equatable {
        case instance(Instance)
        case unknownService
        case noHealthyInstance
    }

    private struct State {
        var services: [String: [Instance]] = [:]
        var cursors: [String: Int] = [:]
    }

    public let ttl: Duration
    private let state: Mutex<State>
    private let clock = ContinuousClock()

    /// - Parameter knownServices: services that exist before any instance registers (their route answers
    ///   503 rather than 404 until one does).
    public init(ttl: Duration, knownServices: [String] = []) {
        self.ttl = ttl
        var initial = State()
        for name in knownServices { initial.services[name] = [] }
        self.state = Mutex(initial)
    }

    /// Registers or renews an instance; `true` when it is new.
    @discardableResult
    public func register(_ request: RegistrationRequest) -> Bool {
        let now = Date()
        let expiry = clock.now + ttl
        return state.withLock { state in
            // An instance id is unique across services: re-registering under another name moves it.
            for (name, list) in state.services where name != request.service {
                state.services[name] = list.filter { $0.id != request.instanceID }
            }
            var list = state.services[request.service, default: []]
            let instance = Instance(service: request.service, id: request.instanceID, url: request.url, version: request.version,
                                    weight: request.weight ?? 1, registeredAt: now, lastHeartbeat: now, leaseExpiry: expiry)
            if let index = list.firstIndex(where: { $0.id == request.instanceID }) {
                list[index] = Instance(service: instance.service, id: instance.id, url: instance.url, version: instance.version,
                                       weight: instance.weight, registeredAt: list[index].registeredAt, lastHeartbeat: now,
                                       leaseExpiry: expiry)
                state.services[request.service] = list
                return false
            }
            list.append(instance)
            state.services[request.service] = list
            return true
        }
    }

    /// Renews the lease of `instanceID`; `false` when it is unknown (expired or never registered).
    public func heartbeat(_ instanceID: String) -> Bool {
        let expiry = clock.now + ttl
        let now = Date()
        return state.withLock { state in
            for (name, list) in state.services {
                if let index = list.firstIndex(where: { $0.id == instanceID }) {
                    state.services[name]![index].lastHeartbeat = now
                    state.services[name]![index].leaseExpiry = expiry
                    return true
                }
            }
            return false
        }
    }

    /// Removes an instance at once (graceful shutdown); `false` when it was unknown.
    @discardableResult
    public func deregister(_ instanceID: String) -> Bool {
        state.withLock { state in
            for (name, list) in state.services {
                if let index = list.firstIndex(where: { $0.id == instanceID }) {
                    state.services[name]!.remove(at: index)
                    return true
                }
            }
            return false
        }
    }

    /// Removes every instance whose lease has run out; returns them.
    @discardableResult
    public func expire() -> [Instance] {
        let now = clock.now
        return state.withLock { state in
            var removed: [Instance] = []
            for (name, list) in state.services {
                let (live, dead) = list.reduce(into: ([Instance](), [Instance]())) { acc, i in
                    if i.leaseExpiry > now { acc.0.append(i) } else { acc.1.append(i) }
                }
                if !dead.isEmpty {
                    state.services[name] = live
                    removed += dead
                }
            }
            return removed
        }
    }

    /// Chooses an instance of `service` round-robin among those whose lease is valid.
    public func pick(_ service: String) -> Pick {
        let now = clock.now
        return state.withLock { state in
            guard let list = state.services[service] else { return .unknownService }
            let live = list.filter { $0.leaseExpiry > now }
            guard !live.isEmpty else { return .noHealthyInstance }
            let cursor = state.cursors[service, default: 0]
            state.cursors[service] = cursor &+ 1
            return .instance(live[cursor % live.count])
        }
    }

    public func isKnown(_ service: String) -> Bool {
        state.withLock { $0.services[service] != nil }
    }

    /// Every known service with its instances, sorted by name.
    public func snapshot() -> [(name: String, instances: [Instance], leaseRemaining: [String: Duration])] {
        let now = clock.now
        return state.withLock { state in
            state.services.keys.sorted().map { name in
                let list = state.services[name]!.sorted { $0.id < $1.id }
                return (name, list, Dictionary(uniqueKeysWithValues: list.map { ($0.id, $0.leaseExpiry - now) }))
            }
        }
    }
}
