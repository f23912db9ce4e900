import ServiceKit
import Synchronization

/// The route rules of every service, as its instances last registered them (``RegistrationRequest/access``).
/// A service that has not told its rules gets the convention: `<service>:read` for reads, `<service>:write` else.
final class ServiceAccessTable: Sendable {
    private let policies = Mutex<[String: AccessPolicy]>([:])

    func update(service: String, policy: AccessPolicy) {
        policies.withLock { $0[service] = policy }
    }

    func policy(for service: String) -> AccessPolicy {
        policies.withLock { $0[service] } ?? .conventional(service: service)
    }
}
