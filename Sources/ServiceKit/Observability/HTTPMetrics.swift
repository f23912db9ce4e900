import HTTPTypes
import Prometheus
import Synchronization

/// The Prometheus registry of one service process and its HTTP metrics.
///
/// Metrics are labelled by route pattern (`/api/v1/data/instruments/{symbol}`), never by raw path, and by
/// status class (`2xx`), so their number stays bounded whatever clients send.
public final class HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let inFlight: Gauge
    private let service: String
    private let cache = Mutex<[Key: (Counter, DurationHistogram)]>([:])

    private struct Key: Hashable {
        let method: String
        let route: String
        let statusClass: String
    }

    static let buckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init(service: String, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.service = service
        self.inFlight = registry.makeGauge(
            descriptor: .init(namespace: "bourse", metricName: "http_requests_in_flight", unitName: "",
                              helpText: "HTTP requests being served now."),
            labels: [("service", service)])
        let info = registry.makeGauge(
            descriptor: .init(namespace: "bourse", metricName: "service_info", unitName: "",
                              helpText: "Always 1; labels name the service."),
            labels: [("service", service)])
        info.set(Int64(1))
    }

    public func record(method: HTTPRequest.Method, route: String, status: HTTPResponse.Status, duration: Duration) {
        record(instruments(method: method.rawValue, route: route, statusClass: Self.statusClass(status.code)), duration: duration)
    }

    /// The request counter and duration histogram of one label set, for a caller that records the same labels
    /// over and over and keeps them (the gateway's event loops), instead of looking them up on every request.
    public func instruments(method: String, route: String, statusClass: String) -> Instruments {
        let key = Key(method: method, route: route, statusClass: statusClass)
        let (counter, histogram) = cache.withLock { cache in
            if let found = cache[key] { return found }
            let labels = [("service", service), ("method", key.method), ("route", key.route), ("status", key.statusClass)]
            let made = (
                registry.makeCounter(
                    descriptor: .init(namespace: "bourse", metricName: "http_requests", unitName: "total",
                                      helpText: "HTTP requests served, by route pattern and status class."),
                    labels: labels),
                registry.makeDurationHistogram(
                    descriptor: .init(namespace: "bourse", metricName: "http_request_duration", unitName: "seconds",
                                      helpText: "HTTP request duration until the last byte was written."),
                    labels: labels, buckets: Self.buckets)
            )
            cache[key] = made
            return made
        }
        return Instruments(counter: counter, histogram: histogram)
    }

    public struct Instruments: Sendable {
        let counter: Counter
        let histogram: DurationHistogram
    }

    public func record(_ instruments: Instruments, duration: Duration) {
        instruments.counter.increment()
        instruments.histogram.record(duration)
    }

    private static let statusClasses = ["0xx", "1xx", "2xx", "3xx", "4xx", "5xx"]

    /// `2xx` for 200…299 and so on, without building a string on every request.
    public static func statusClass(_ code: Int) -> String {
        let index = code / 100
        return statusClasses.indices.contains(index) ? statusClasses[index] : "\(index)xx"
    }

    /// The Prometheus text exposition of every metric of this process.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
