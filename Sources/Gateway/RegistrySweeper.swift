import Logging
import ServiceKit
import ServiceLifecycle

/// Drops instances whose heartbeats stopped, once a second.
struct RegistrySweeper: Service {
    let pool: UpstreamPool
    let logger: Logger

    func run() async throws {
        _ = try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for instance in pool.expire() {
                    logger.warning("instance lease expired", metadata: [
                        "service": .string(instance.service), "upstream_instance": .string(instance.id), "url": .string(instance.url),
                    ])
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}

/// Calls every instance's `/health` on an interval; an instance failing twice in a row gets no traffic until
/// it passes again.
struct ActiveHealthChecker: Service {
    let pool: UpstreamPool
    let client: ServiceClient
    let interval: Duration
    let logger: Logger

    func run() async throws {
        _ = try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let instances = pool.snapshot().flatMap { $0.instances.map(\.instance) }
                await withTaskGroup(of: Void.self) { group in
                    for instance in instances {
                        group.addTask {
                            let passed: Bool
                            do {
                                let reply = try await client.send(.GET, "\(instance.url)/health", timeout: .seconds(1))
                                passed = reply.status == 200
                            } catch {
                                passed = false
                            }
                            pool.recordHealthCheck(instance.id, url: instance.url, passed: passed)
                        }
                    }
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
