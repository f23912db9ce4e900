import Prometheus

/// The bus's Prometheus metrics, labelled by topic and consumer group (both chosen in code, so bounded).
struct BusMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    /// The metrics of one (topic, group); the registry hands back the same instances on every call.
    struct Group: Sendable {
        let lag: Gauge
        let delivered: Counter
        let failed: Counter
        let deadLettered: Counter
    }

    func group(topic: String, group: String) -> Group {
        let labels = [("topic", topic), ("group", group)]
        return Group(
            lag: registry.makeGauge(
                descriptor: .init(namespace: "bourse", metricName: "bus_consumer_lag", unitName: "",
                                  helpText: "Events of the topic the group has not finished yet (pending, in flight or backing off)."),
                labels: labels),
            delivered: registry.makeCounter(
                descriptor: .init(namespace: "bourse", metricName: "bus_delivered", unitName: "total",
                                  helpText: "Events handled successfully."),
                labels: labels),
            failed: registry.makeCounter(
                descriptor: .init(namespace: "bourse", metricName: "bus_failed", unitName: "total",
                                  helpText: "Handler failures (each failed attempt)."),
                labels: labels),
            deadLettered: registry.makeCounter(
                descriptor: .init(namespace: "bourse", metricName: "bus_dead_lettered", unitName: "total",
                                  helpText: "Events moved to the dead-letter topic after their last attempt failed."),
                labels: labels))
    }

    /// The relay's metrics (one outbox per process, so unlabelled).
    struct Relay: Sendable {
        let pending: Gauge
        let lagSeconds: Gauge
        let relayed: Counter
    }

    var relay: Relay {
        Relay(
            pending: registry.makeGauge(
                descriptor: .init(namespace: "bourse", metricName: "bus_outbox_pending", unitName: "",
                                  helpText: "Committed events in this service's outbox not yet relayed to the bus store.")),
            lagSeconds: registry.makeGauge(
                descriptor: .init(namespace: "bourse", metricName: "bus_relay_lag", unitName: "seconds",
                                  helpText: "Age of the oldest event waiting in the outbox (0 when it is empty).")),
            relayed: registry.makeCounter(
                descriptor: .init(namespace: "bourse", metricName: "bus_relayed", unitName: "total",
                                  helpText: "Outbox events copied to the bus store (a repeat after an interrupted step counts again).")))
    }
}
