import Logging
import ServiceLifecycle
import Synchronization

extension EventBus {
    /// The service that moves this process's outbox to the bus store; `nil` for a single-database bus.
    /// Run it with the service's background services, before its consumers.
    public var relay: BusRelay? {
        outbox.map { BusRelay(bus: self, outbox: $0) }
    }
}

/// Moves committed events from the service's outbox (`bus_outbox` in its own database) to the shared bus store,
/// oldest first, in batches; see ``EventBus``. Idempotent by event id, so several relays over one outbox (replicas
/// of a service on PostgreSQL) or a relay restarted after a crash only repeat work, never events.
///
/// Metrics: `bourse_bus_outbox_pending`, `bourse_bus_relay_lag_seconds` (age of the oldest waiting event) and
/// `bourse_bus_relayed_total`.
public struct BusRelay: Service {
    let bus: EventBus
    let outbox: Database
    /// Rows per step: one store transaction each.
    public var batchSize = 500
    /// How often to look at the outbox without a wake-up (a publish in this process wakes the relay, but may
    /// do so just before its transaction commits). Default 25 ms: an empty outbox costs one indexed read.
    public var pollInterval: Duration = .milliseconds(25)

    /// Relays once, now: what is committed in the outbox goes to the store. For tools and tests; the running
    /// service does this by itself.
    @discardableResult
    public func drain() async throws -> Int {
        var total = 0
        while true {
            let step = try await BusOutbox.relay(bus: bus, outbox: outbox, limit: batchSize)
            record(step)
            total += step.relayed
            if step.relayed < batchSize { return total }
        }
    }

    public func run() async throws {
        let wake = WakeSignal()
        let registration = bus.relayWakeups.register(wake)
        defer { bus.relayWakeups.unregister(registration) }
        let stopping = StopFlag()
        await withGracefulShutdownHandler {
            while !stopping.isSet && !Task.isCancelled {
                do {
                    let step = try await BusOutbox.relay(bus: bus, outbox: outbox, limit: batchSize)
                    record(step)
                    if step.relayed == batchSize { continue }
                } catch {
                    if Task.isCancelled { break }
                    // The rows stay in the outbox; the next step repeats them (idempotent by event id).
                    bus.logger.warning("bus relay step failed", metadata: ["error": .string(String(reflecting: error))])
                }
                await wake.wait(timeout: pollInterval)
            }
        } onGracefulShutdown: {
            stopping.set()
            wake.signal()
        }
    }

    private func record(_ step: BusOutbox.Step) {
        let metrics = bus.metrics.relay
        metrics.relayed.increment(by: Int64(step.relayed))
        metrics.pending.set(Double(step.pending))
        metrics.lagSeconds.set(Double(step.oldestAgeMillis) / 1000)
    }
}

/// A flag the shutdown handler sets and a loop reads (a class, because the handler escapes).
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
