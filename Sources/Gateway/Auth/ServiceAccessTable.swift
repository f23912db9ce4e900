import ServiceKit
import Synchronization

/// The route rules of every service, as its instances last registered them (``RegistrationRequest/access``).
/// A service that has not told its rules gets the convention: `<service>:read` for reads, `<service>:write` else.
final class ServiceAccessTable: Sendable {
    private let policies = Mutex<[String: AccessPolicy]>([:])
    /// Replaces the convention for services that told no rules (tests of the proxy itself, which has no auth service).
    private let fallback = Mutex<AccessPolicy?>(nil)
    private let changes = Atomic<Int>(0)

    /// Changes with every change of the rules (caches of their answers are valid while it stays the same).
    var generation: Int { changes.load(ordering: .acquiring) }

    func setFallback(_ policy: AccessPolicy?) {
        fallback.withLock { $0 = policy }
        changes.add(1, ordering: .releasing)
    }

    func update(service: String, policy: AccessPolicy) {
        policies.withLock { $0[service] = policy }
        changes.add(1, ordering: .releasing)
    }

    func policy(for service: String) -> AccessPolicy {
        policies.withLock { $0[service] } ?? fallback.withLock { $0 } ?? .conventional(service: service)
    }
}
