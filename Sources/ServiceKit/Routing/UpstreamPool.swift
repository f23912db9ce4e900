import Foundation
import Synchronization

/// The instances of every service and everything known about their health: registration leases, active
/// health checks, a circuit breaker and passive outlier ejection per instance, requests in flight, and the
/// balancing state. The gateway's registry and the service-to-service client both route through one of these,
/// so both paths share one implementation of discovery, balancing and failure handling.
///
/// A lock rather than an actor: every proxied request picks an instance and reports its outcome, and a lock
/// held for a few hundred nanoseconds is cheaper than two actor hops.
public final class UpstreamPool: Sendable {
    /// One registered instance. Its fixed description lives in one shared, immutable object, so that the copies
    /// a proxied request makes (the pick, the exchange, the outcome) cost one reference count each, not one per
    /// string.
    public struct Instance: Sendable, Equatable {
        private final class Description: Sendable {
            let service: String
            let id: String
            let url: String
            let version: String
            let weight: Int
            let registeredAt: Date

            init(service: String, id: String, url: String, version: String, weight: Int, registeredAt: Date) {
                self.service = service
                self.id = id
                self.url = url
                self.version = version
                self.weight = weight
                self.registeredAt = registeredAt
            }
        }

        private let description: Description
        public internal(set) var lastHeartbeat: Date

        public var service: String { description.service }
        public var id: String { description.id }
        public var url: String { description.url }
        public var version: String { description.version }
        public var weight: Int { description.weight }
        public var registeredAt: Date { description.registeredAt }

        public init(service: String, id: String, url: String, version: String, weight: Int = 1,
                    registeredAt: Date = Date(), lastHeartbeat: Date = Date()) {
            self.description = Description(service: service, id: id, url: url, version: version, weight: max(1, weight),
                                           registeredAt: registeredAt)
            self.lastHeartbeat = lastHeartbeat
        }

        /// Whether `other` is this very registration (the same id at the same URL), decided without comparing
        /// strings when both come from the same record.
        func isSameRegistration(as other: Instance) -> Bool {
            description === other.description || (id == other.id && url == other.url)
        }

        public static func == (a: Instance, b: Instance) -> Bool {
            a.lastHeartbeat == b.lastHeartbeat
                && (a.description === b.description
                    || (a.service == b.service && a.id == b.id && a.url == b.url && a.version == b.version && a.weight == b.weight
                        && a.registeredAt == b.registeredAt))
        }
    }

    public struct Configuration: Sendable {
        public var breaker = CircuitBreaker.Configuration()
        public var outlier = OutlierDetector.Configuration()
        public var defaultPolicy: BalancingPolicy = .roundRobin
        public var policies: [String: BalancingPolicy] = [:]
        /// Consecutive failed active health checks that take an instance out of rotation.
        public var unhealthyThreshold = 2
        /// Panic routing: when the share of a service's lease-holding instances that are live (not ejected, not
        /// circuit-open, passing health checks) falls below this, or no instance is live at all, requests go to every
        /// lease-holding instance instead of being refused (Envoy's panic threshold). 0: only when none is live.
        public var panicThreshold: Double = 0

        public init() {}
    }

    /// The outcome of choosing an instance.
    public enum Pick: Sendable, Equatable {
        case instance(Instance)
        case unknownService
        case noHealthyInstance
    }

    struct Entry {
        var instance: Instance
        var leaseExpiry: ContinuousClock.Instant?
        var breaker: CircuitBreaker
        var outlier = OutlierDetector()
        var outstanding = 0
        var healthFailures = 0
        var activeHealthy = true
        var currentWeight = 0

        /// Whether the entry may take a call now: valid lease, passing active checks, not ejected, circuit admitting.
        /// Registered and holding its lease: a candidate in panic routing, whatever its health says.
        func holdsLease(now: ContinuousClock.Instant, excluding: Set<String>) -> Bool {
            (leaseExpiry.map { $0 > now } ?? true) && (excluding.isEmpty || !excluding.contains(instance.id))
        }

        func isLive(now: ContinuousClock.Instant, excluding: Set<String>) -> Bool {
            (leaseExpiry.map { $0 > now } ?? true) && activeHealthy && !outlier.isEjected(now: now) && breaker.wouldAdmit(now: now)
                && (excluding.isEmpty || !excluding.contains(instance.id))
        }
    }

    struct ServiceState {
        var entries: [Entry] = []
        var cursor = 0
        /// The service's balancing policy, looked up from the configuration at its first pick.
        var policy: BalancingPolicy?
    }

    public let configuration: Configuration
    private let state: Mutex<[String: ServiceState]>
    private let random = Mutex(SystemRandomNumberGenerator())
    /// Called (outside the lock) when an instance is ejected or its circuit changes state.
    private let onEvent: @Sendable (Event) -> Void

    public enum Event: Sendable {
        case ejected(Instance, until: Duration)
        case circuit(Instance, CircuitBreaker.State)
        /// Too few instances of `service` were live, so a request went to any lease-holding one.
        case panic(service: String)
    }

    public init(configuration: Configuration = .init(), knownServices: [String] = [], onEvent: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.configuration = configuration
        self.onEvent = onEvent
        var initial: [String: ServiceState] = [:]
        for name in knownServices { initial[name] = ServiceState() }
        self.state = Mutex(initial)
    }

    func policy(for service: String) -> BalancingPolicy {
        configuration.policies[service] ?? configuration.defaultPolicy
    }

    // MARK: Registry

    /// Adds or renews an instance; `true` when it is new. A known id at a new URL is a new incarnation
    /// (a restarted process): its failure history is forgotten.
    @discardableResult
    public func upsert(_ instance: Instance, lease: Duration?, now: ContinuousClock.Instant = .now) -> Bool {
        let expiry = lease.map { now + $0 }
        return state.withLock { services in
            for (name, s) in services where name != instance.service && s.entries.contains(where: { $0.instance.id == instance.id }) {
                services[name]?.entries.removeAll { $0.instance.id == instance.id }
            }
            var service = services[instance.service, default: ServiceState()]
            defer { services[instance.service] = service }
            if let index = service.entries.firstIndex(where: { $0.instance.id == instance.id }) {
                let old = service.entries[index]
                if old.instance.url == instance.url {
                    var renewed = instance
                    renewed = Instance(service: instance.service, id: instance.id, url: instance.url, version: instance.version,
                                       weight: instance.weight, registeredAt: old.instance.registeredAt, lastHeartbeat: instance.lastHeartbeat)
                    service.entries[index].instance = renewed
                    service.entries[index].leaseExpiry = expiry
                } else {
                    service.entries[index] = Entry(instance: instance, leaseExpiry: expiry, breaker: CircuitBreaker(configuration: configuration.breaker))
                }
                return false
            }
            service.entries.append(Entry(instance: instance, leaseExpiry: expiry, breaker: CircuitBreaker(configuration: configuration.breaker)))
            return true
        }
    }

    /// Renews the lease of `id`; `false` when it is unknown.
    public func renew(_ id: String, lease: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        let expiry = now + lease
        let now = Date()
        return state.withLock { services in
            for (name, s) in services {
                if let index = s.entries.firstIndex(where: { $0.instance.id == id }) {
                    services[name]!.entries[index].leaseExpiry = expiry
                    services[name]!.entries[index].instance.lastHeartbeat = now
                    return true
                }
            }
            return false
        }
    }

    /// Removes `id` at once; `false` when it is unknown.
    @discardableResult
    public func remove(_ id: String) -> Bool {
        state.withLock { services in
            for (name, s) in services {
                if let index = s.entries.firstIndex(where: { $0.instance.id == id }) {
                    services[name]!.entries.remove(at: index)
                    return true
                }
            }
            return false
        }
    }

    /// Removes every instance whose lease has run out; returns them.
    @discardableResult
    public func expire(now: ContinuousClock.Instant = .now) -> [Instance] {
        return state.withLock { services in
            var removed: [Instance] = []
            for (name, s) in services {
                let dead = s.entries.filter { $0.leaseExpiry.map { $0 <= now } ?? false }
                if !dead.isEmpty {
                    services[name]!.entries.removeAll { $0.leaseExpiry.map { $0 <= now } ?? false }
                    removed += dead.map(\.instance)
                }
            }
            return removed
        }
    }

    /// Makes the instances of `service` exactly `instances` (discovery from the gateway's listing), keeping the
    /// health state of those that stay at the same URL.
    public func replace(service: String, with instances: [Instance]) {
        state.withLock { services in
            var current = services[service, default: ServiceState()]
            var next: [Entry] = []
            for instance in instances {
                if let old = current.entries.first(where: { $0.instance.id == instance.id && $0.instance.url == instance.url }) {
                    var kept = old
                    kept.instance = instance
                    next.append(kept)
                } else {
                    next.append(Entry(instance: instance, leaseExpiry: nil, breaker: CircuitBreaker(configuration: configuration.breaker)))
                }
            }
            current.entries = next
            services[service] = current
        }
    }

    public func isKnown(_ service: String) -> Bool {
        state.withLock { $0[service] != nil }
    }

    // MARK: Selection

    /// Chooses an instance of `service` by its policy among those that are live (valid lease, passing active
    /// checks, not ejected, circuit admitting), skipping `excluding`, and counts the request as in flight.
    /// Every `.instance` must be followed by exactly one ``finish(_:outcome:)``.
    public func pick(_ service: String, excluding: Set<String> = [], now: ContinuousClock.Instant = .now) -> Pick {
        // The event (a circuit leaving its state) comes out of the lock as a result, not through a captured
        // variable: this runs on every request.
        let (result, event): (Pick, Event?) = state.withLock { services in
            guard let index = services.index(forKey: service) else { return (.unknownService, nil) }
            // The service's state is changed in place (one hash, no copy of its entries).
            return choose(in: &services.values[index])
        }
        if let event { onEvent(event) }
        return result

        func choose(in s: inout ServiceState) -> (Pick, Event?) {
            if s.policy == nil { s.policy = policy(for: service) }
            let balancing = s.policy!
            var cursor = s.cursor
            defer { s.cursor = cursor }
            // Entries are read and changed through a pointer (a copy of an entry would retain its instance and
            // window), and the live ones are counted rather than collected, so a pick allocates nothing.
            return s.entries.withUnsafeMutableBufferPointer { entries -> (Pick, Event?) in
                let count = entries.count
                var live = 0
                for i in 0..<count where entries[i].isLive(now: now, excluding: excluding) { live += 1 }
                // Panic routing: with too few live instances, every lease-holding one is a candidate, so one bad
                // stretch (or a client that can make instances look bad) does not refuse every caller.
                var panic = false
                if live < count, live == 0 || Double(live) < configuration.panicThreshold * Double(count) {
                    var holding = 0
                    for i in 0..<count where entries[i].holdsLease(now: now, excluding: excluding) { holding += 1 }
                    if holding > live {
                        panic = true
                        live = holding
                    }
                }
                guard live > 0 else { return (.noHealthyInstance, nil) }
                func candidate(_ i: Int) -> Bool {
                    panic ? entries[i].holdsLease(now: now, excluding: excluding) : entries[i].isLive(now: now, excluding: excluding)
                }
                /// The index of the `k`-th candidate entry.
                func liveEntry(_ k: Int) -> Int {
                    if live == count { return k }
                    var seen = 0
                    for i in 0..<count where candidate(i) {
                        if seen == k { return i }
                        seen += 1
                    }
                    preconditionFailure("fewer live entries than counted")
                }
                let chosen: Int
                switch balancing {
                case .roundRobin:
                    chosen = liveEntry(cursor % live)
                    cursor &+= 1
                case .weighted:
                    var total = 0
                    var best = -1
                    for i in 0..<count where candidate(i) {
                        entries[i].currentWeight += entries[i].instance.weight
                        total += entries[i].instance.weight
                        if best < 0 || entries[i].currentWeight > entries[best].currentWeight { best = i }
                    }
                    entries[best].currentWeight -= total
                    chosen = best
                case .leastOutstanding:
                    if live == 1 {
                        chosen = liveEntry(0)
                    } else {
                        let (first, second) = random.withLock { rng -> (Int, Int) in
                            let first = Int.random(in: 0..<live, using: &rng)
                            var second = Int.random(in: 0..<(live - 1), using: &rng)
                            if second >= first { second += 1 }
                            return (first, second)
                        }
                        let (a, b) = (liveEntry(first), liveEntry(second))
                        chosen = entries[a].outstanding <= entries[b].outstanding ? a : b
                    }
                }
                entries[chosen].outstanding += 1
                if panic { return (.instance(entries[chosen].instance), .panic(service: service)) }
                if entries[chosen].breaker.isClosed { return (.instance(entries[chosen].instance), nil) }
                let before = entries[chosen].breaker.state
                _ = entries[chosen].breaker.tryAcquire(now: now)
                let after = entries[chosen].breaker.state
                return (.instance(entries[chosen].instance), after != before ? .circuit(entries[chosen].instance, after) : nil)
            }
        }
    }

    /// Reports how a call to `instance` ended: updates requests in flight, its circuit and its outlier state.
    public func finish(_ instance: Instance, outcome: OutlierDetector.Outcome) {
        let now = ContinuousClock.now
        // Events come out of the lock as its result (see `pick`).
        let (circuit, ejection): (Event?, Event?) = state.withLock { services in
            guard let index = services.index(forKey: instance.service) else { return (nil, nil) }
            // Entries are read and changed through a pointer, as in `pick` (a copy of an entry retains its parts).
            return services.values[index].entries.withUnsafeMutableBufferPointer { entries -> (Event?, Event?) in
                guard let i = entries.indices.first(where: { entries[$0].instance.isSameRegistration(as: instance) }) else { return (nil, nil) }
                return record(entries, at: i)
            }
        }
        if let circuit { onEvent(circuit) }
        if let ejection { onEvent(ejection) }

        func record(_ entries: UnsafeMutableBufferPointer<Entry>, at i: Int) -> (Event?, Event?) {
            entries[i].outstanding = max(0, entries[i].outstanding - 1)
            let circuit: Event? = entries[i].breaker.record(failure: outcome != .success, now: now)
                ? .circuit(instance, entries[i].breaker.state) : nil
            guard entries[i].outlier.record(outcome, configuration: configuration.outlier), !entries[i].outlier.isEjected(now: now) else {
                return (circuit, nil)
            }
            var ejected = 0
            for k in entries.indices where entries[k].outlier.isEjected(now: now) { ejected += 1 }
            let cap = max(1, Int((Double(entries.count) * configuration.outlier.maxEjectedShare).rounded(.down)))
            guard ejected < cap else { return (circuit, nil) }
            entries[i].outlier.eject(now: now, configuration: configuration.outlier)
            return (circuit, entries[i].outlier.ejectedUntil.map { .ejected(instance, until: $0 - now) })
        }
    }

    /// Ends a call that says nothing about the instance (its client went away before the answer): it is no longer in
    /// flight and gives back a half-open circuit's probe slot, but counts neither as a success nor as a failure.
    public func abandon(_ instance: Instance) {
        state.withLock { services in
            guard let index = services.index(forKey: instance.service) else { return }
            services.values[index].entries.withUnsafeMutableBufferPointer { entries in
                guard let i = entries.indices.first(where: { entries[$0].instance.isSameRegistration(as: instance) }) else { return }
                entries[i].outstanding = max(0, entries[i].outstanding - 1)
                entries[i].breaker.abandon()
            }
        }
    }

    /// Records an active health check of `id` at `url`; unhealthy after `unhealthyThreshold` failures in a
    /// row, healthy again after one pass.
    public func recordHealthCheck(_ id: String, url: String, passed: Bool) {
        state.withLock { services in
            for (name, s) in services {
                guard let i = s.entries.firstIndex(where: { $0.instance.id == id && $0.instance.url == url }) else { continue }
                if passed {
                    services[name]!.entries[i].healthFailures = 0
                    services[name]!.entries[i].activeHealthy = true
                } else {
                    services[name]!.entries[i].healthFailures += 1
                    if services[name]!.entries[i].healthFailures >= configuration.unhealthyThreshold {
                        services[name]!.entries[i].activeHealthy = false
                    }
                }
                return
            }
        }
    }

    // MARK: Listing

    public struct InstanceStatus: Sendable {
        public let instance: Instance
        public let leaseRemaining: Duration?
        public let live: Bool
        public let circuit: String
        public let ejectedFor: Duration?
        public let ejections: Int
        public let activeHealthy: Bool
        public let outstanding: Int
    }

    /// Every known service with the state of each instance, sorted by name and id.
    public func snapshot() -> [(name: String, policy: BalancingPolicy, instances: [InstanceStatus])] {
        let now = ContinuousClock.now
        return state.withLock { services in
            services.keys.sorted().map { name in
                let statuses = services[name]!.entries.sorted { $0.instance.id < $1.instance.id }.map { e in
                    let lease = e.leaseExpiry.map { $0 - now }
                    let ejected = e.outlier.isEjected(now: now)
                    let live = (lease.map { $0 > .zero } ?? true) && e.activeHealthy && !ejected && e.breaker.wouldAdmit(now: now)
                    return InstanceStatus(instance: e.instance, leaseRemaining: lease, live: live, circuit: e.breaker.state.name,
                                          ejectedFor: ejected ? e.outlier.ejectedUntil.map { $0 - now } : nil,
                                          ejections: e.outlier.ejections, activeHealthy: e.activeHealthy, outstanding: e.outstanding)
                }
                return (name, policy(for: name), statuses)
            }
        }
    }
}
