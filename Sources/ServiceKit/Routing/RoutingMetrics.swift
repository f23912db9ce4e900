import Prometheus
import Synchronization

/// Metrics of the routing layer: attempts by outcome, retries, exhausted budgets, ejections and circuit state.
public final class RoutingMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let origin: String
    /// `upstream_attempts` counters by service and outcome: looked up once, not on every request (the registry's
    /// look-up builds and compares the label set each time).
    private let attempts = Mutex<[AttemptKey: Counter]>([:])

    private struct AttemptKey: Hashable {
        let service: String
        let outcome: String
    }

    /// - Parameter origin: who routes (`gateway`, or the calling service's name).
    public init(registry: PrometheusCollectorRegistry, origin: String) {
        self.registry = registry
        self.origin = origin
    }

    public func attempt(service: String, outcome: String) {
        attemptCounter(service: service, outcome: outcome).increment()
    }

    /// The `upstream_attempts` counter of one service and outcome, for a caller that counts the same outcome over
    /// and over and keeps it (the gateway's event loops).
    public func attemptCounter(service: String, outcome: String) -> AttemptCounter {
        let key = AttemptKey(service: service, outcome: outcome)
        let counter = attempts.withLock { cache in
            if let found = cache[key] { return found }
            let made = registry.makeCounter(
                descriptor: .init(namespace: "bourse", metricName: "upstream_attempts", unitName: "total",
                                  helpText: "Attempts to reach a service instance, by outcome."),
                labels: [("origin", origin), ("service", service), ("outcome", outcome)])
            cache[key] = made
            return made
        }
        return AttemptCounter(counter: counter)
    }

    public struct AttemptCounter: Sendable {
        let counter: Counter

        public func increment() {
            counter.increment()
        }
    }

    public func retried(service: String) {
        registry.makeCounter(
            descriptor: .init(namespace: "bourse", metricName: "upstream_retries", unitName: "total",
                              helpText: "Requests retried on another instance."),
            labels: [("origin", origin), ("service", service)]
        ).increment()
    }

    public func budgetExhausted(service: String) {
        registry.makeCounter(
            descriptor: .init(namespace: "bourse", metricName: "upstream_retry_budget_exhausted", unitName: "total",
                              helpText: "Retries refused because the retry budget was spent."),
            labels: [("origin", origin), ("service", service)]
        ).increment()
    }

    /// Feeds ejections and circuit changes of `pool` into metrics.
    public func observe(_ event: UpstreamPool.Event) {
        switch event {
        case .ejected(let instance, _):
            registry.makeCounter(
                descriptor: .init(namespace: "bourse", metricName: "upstream_ejections", unitName: "total",
                                  helpText: "Instances ejected by passive outlier detection."),
                labels: [("origin", origin), ("service", instance.service), ("instance", instance.id)]
            ).increment()
        case .circuit(let instance, let state):
            registry.makeGauge(
                descriptor: .init(namespace: "bourse", metricName: "upstream_circuit_state", unitName: "",
                                  helpText: "Circuit breaker state per instance: 0 closed, 1 half-open, 2 open."),
                labels: [("origin", origin), ("service", instance.service), ("instance", instance.id)]
            ).set(Int64(state.gaugeValue))
        case .panic(let service):
            registry.makeCounter(
                descriptor: .init(namespace: "bourse", metricName: "upstream_panic", unitName: "total",
                                  helpText: "Requests routed to any lease-holding instance because too few were live."),
                labels: [("origin", origin), ("service", service)]
            ).increment()
        }
    }
}
