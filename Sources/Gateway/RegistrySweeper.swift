import Logging
import ServiceLifecycle

/// Drops instances whose heartbeats stopped, once a second.
struct RegistrySweeper: Service {
    let registry: ServiceRegistry
    let logger: Logger

    func run() async throws {
        _ = try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for instance in registry.expire() {
                    logger.warning("instance lease expired", metadata: [
                        "service": .string(instance.service), "instance_id": .string(instance.id), "url": .string(instance.url),
                    ])
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
