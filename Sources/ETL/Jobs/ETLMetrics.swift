import Prometheus

/// The etl service's Prometheus metrics, labelled by source (a fixed set) and outcome.
struct ETLMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    /// Items that ended an attempt: `succeeded`, `failed` (for good) or `retrying` (a retry is scheduled).
    func item(source: String, outcome: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(namespace: "bourse", metricName: "etl_items", unitName: "total",
                              helpText: "Job items that ended an attempt, by source and outcome (succeeded, failed, retrying)."),
            labels: [("source", source), ("outcome", outcome)])
    }

    /// Bars published on etl.bars.collected.
    func bars(source: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(namespace: "bourse", metricName: "etl_bars_published", unitName: "total",
                              helpText: "Validated bars published on etl.bars.collected, by source."),
            labels: [("source", source)])
    }

    /// Time spent processing items (fetch, archive, parse, validate, publish), so rate(seconds)/rate(items) is the mean.
    func seconds(source: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(namespace: "bourse", metricName: "etl_item_processing_seconds", unitName: "total",
                              helpText: "Seconds spent processing job items, by source."),
            labels: [("source", source)])
    }
}
