import ServiceKit
import Synchronization

/// The route rules of every service, as its instances last registered them (``RegistrationRequest/access``).
/// A service that has not told its rules gets the convention: `<service>:read` for reads, `<service>:write` else.
final class ServiceAccessTable: Sendable {
    private let policies = Mutex<[String: AccessPolicy]>([:])
    /// Replaces the convention for services that told no rules (tests of the proxy itself, which has no auth service).
    private let fallback = Mutex<AccessPolicy?>(nil)

    func setFallback(_ policy: AccessPolicy?) {
        fallback.withLock { $0 = policy }
    }

    func update(service: String, policy: AccessPolicy) {
        policies.withLock { $0[service] = policy }
    }

    func policy(for service: String) -> AccessPolicy {
        policies.withLock { $0[service] } ?? fallback.withLock { $0 } ?? .conventional(service: service)
    }
}
