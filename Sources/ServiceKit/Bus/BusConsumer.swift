import Logging
import ServiceLifecycle
import Synchronization

extension EventBus {
    /// A consumer of `topic` for consumer group `group`, to run as a service (`backgroundServices`).
    ///
    /// Delivery is at least once: an event is done only when `handler` returns; a handler that throws is retried
    /// with exponential backoff and, after ``BusSubscription/maxAttempts`` deliveries, moved to `<topic>.dlq`;
    /// a consumer that dies mid-event loses its lease and another consumer (or its restart) gets the event.
    /// Make handlers idempotent with ``BusDelivery/alreadyProcessed(in:)``.
    public func subscribe(topic: String, group: String, options: BusSubscription = BusSubscription(),
                          logger: Logger = Logger(label: "bus"),
                          handler: @escaping @Sendable (BusDelivery) async throws -> Void) -> BusConsumer {
        BusConsumer(bus: self, queue: BusQueue(database: database, topic: topic, group: group), options: options,
                    metrics: metrics.group(topic: topic, group: group), logger: logger, handler: handler)
    }
}

/// One consumer of a group: claims events, runs up to ``BusSubscription/maxConcurrent`` handlers at once,
/// acknowledges or schedules retries. On graceful shutdown it stops claiming and lets running handlers finish;
/// on cancellation it stops at once and leaves unacknowledged events to expire their leases.
public struct BusConsumer: Service {
    let bus: EventBus
    let queue: BusQueue
    let options: BusSubscription
    let metrics: BusMetrics.Group
    let logger: Logger
    let handler: @Sendable (BusDelivery) async throws -> Void

    public func run() async throws {
        try await queue.ensureOffset()
        let wake = WakeSignal()
        let registration = bus.wakeups.register(wake)
        defer { bus.wakeups.unregister(registration) }
        let state = ConsumerState()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !state.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                    let free = options.maxConcurrent - state.inFlight.withLock { $0.running.count }
                    let claim: BusQueue.Claim?
                    do {
                        claim = try await queue.claim(limit: free, lease: options.lease)
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning("bus claim failed", metadata: ["topic": .string(queue.topic), "group": .string(queue.group),
                                                                    "error": .string(String(reflecting: error))])
                        await wake.wait(timeout: options.pollInterval)
                        continue
                    }
                    guard let claim else {
                        // Another consumer of the group is claiming; its claim takes milliseconds.
                        await wake.wait(timeout: min(options.pollInterval, .milliseconds(20)))
                        continue
                    }
                    metrics.lag.set(claim.lag)
                    for delivery in claim.deliveries {
                        // Claimed again while its handler still runs here (a replay, or a lease that ran out): the new
                        // claim is delivered when that handler is done, so one key never runs two handlers at once.
                        let start = state.inFlight.withLock { inFlight in
                            guard inFlight.running.insert(delivery.event.sequence).inserted else {
                                inFlight.deferred[delivery.event.sequence] = delivery
                                return false
                            }
                            return true
                        }
                        guard start else { continue }
                        group.addTask {
                            var next: BusDelivery? = delivery
                            while let current = next {
                                await deliver(current)
                                next = state.inFlight.withLock { inFlight in
                                    if let again = inFlight.deferred.removeValue(forKey: current.event.sequence) { return again }
                                    inFlight.running.remove(current.event.sequence)
                                    return nil
                                }
                            }
                            wake.signal()
                        }
                    }
                    if free > 0 && claim.deliveries.count == free { continue }
                    await wake.wait(timeout: options.pollInterval)
                }
            }
        } onGracefulShutdown: {
            state.stopping.store(true, ordering: .relaxed)
            wake.signal()
        }
    }

    private func deliver(_ delivery: BusDelivery) async {
        let failure: String
        if delivery.attempt > options.maxAttempts {
            // Its consumers kept dying before acknowledging (a poison event): stop redelivering it.
            failure = "lease expired without acknowledgement \(delivery.attempt - 1) times"
        } else {
            do {
                try await handler(delivery)
                do {
                    try await queue.acknowledge(delivery)
                    metrics.delivered.increment()
                } catch {
                    // Cancelled consumers are expected to lose their acknowledgements; anything else is worth a warning.
                    if !Task.isCancelled { log("bus acknowledgement failed; the event will be redelivered", delivery, error) }
                }
                return
            } catch {
                if Task.isCancelled { return }  // Dying, not failing: the lease runs out and the event is redelivered.
                metrics.failed.increment()
                failure = String(reflecting: error)
            }
        }
        let deadLetter = delivery.attempt >= options.maxAttempts
        do {
            try await queue.fail(delivery, error: failure, backoff: options.backoff(afterAttempt: delivery.attempt),
                                 deadLetter: deadLetter, bus: bus)
            if deadLetter {
                metrics.deadLettered.increment()
                log("bus event dead-lettered", delivery, nil, failure)
            }
        } catch {
            log("bus failure could not be recorded; the event will be redelivered", delivery, error)
        }
    }

    /// What the claim loop shares with its handler tasks and the shutdown handler.
    private final class ConsumerState: Sendable {
        let stopping = Atomic<Bool>(false)
        /// Sequences whose handler is running in this consumer, and claims of them made meanwhile.
        let inFlight = Mutex(InFlight())
    }

    private struct InFlight {
        var running: Set<Int64> = []
        var deferred: [Int64: BusDelivery] = [:]
    }

    private func log(_ message: Logger.Message, _ delivery: BusDelivery, _ error: (any Error)?, _ detail: String? = nil) {
        var metadata: Logger.Metadata = ["topic": .string(queue.topic), "group": .string(queue.group),
                                         "event_id": .string(delivery.event.id), "attempt": .stringConvertible(delivery.attempt)]
        if let error { metadata["error"] = .string(String(reflecting: error)) }
        if let detail { metadata["handler_error"] = .string(detail) }
        logger.warning(message, metadata: metadata)
    }
}
