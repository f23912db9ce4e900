import Foundation
import Logging
import NIOHTTP1
import ServiceKit

/// How a connector retries: attempts, exponential backoff and the per-request timeout.
public struct RetryPolicy: Sendable, Equatable {
    /// Requests per fetch, the first included.
    public var maxAttempts: Int
    /// Delay before the second attempt; doubled for each further one, up to ``maxBackoff``.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// Deadline of each request (connect, send and receive the whole body).
    public var timeout: Duration
    /// A `Retry-After` longer than this is not waited for inside the fetch: the job item is retried later instead.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 4, initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(30),
                timeout: Duration = .seconds(30), maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.timeout = timeout
        self.maxRetryAfter = maxRetryAfter
    }

    /// Exponential backoff with equal jitter (half fixed, half random) so that clients do not retry in lockstep.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let doubled = initialBackoff * (1 << min(max(attempt - 1, 0), 20))
        let capped = min(doubled, maxBackoff)
        return capped / 2 + capped / 2 * Double.random(in: 0...1)
    }
}

/// GETs provider URLs through the process's one ``ServiceClient``, retrying connection failures, timeouts,
/// 429 and 5xx with exponential backoff and honouring `Retry-After`. URLs are logged with keys redacted.
public struct HTTPFetcher: Sendable {
    public let client: ServiceClient
    public let policy: RetryPolicy
    let logger: Logger

    public init(client: ServiceClient, policy: RetryPolicy = RetryPolicy(), logger: Logger) {
        self.client = client
        self.policy = policy
        self.logger = logger
    }

    /// The answer of the first attempt that is neither a transport failure, a 429 nor a 5xx (a 4xx is returned
    /// for the connector to read the provider's error), or the last retryable failure as a ``ConnectorError``.
    public func get(_ url: String, accept: String) async throws(ConnectorError) -> ServiceClient.Reply {
        let shown = Redaction.url(url)
        var attempt = 0
        while true {
            attempt += 1
            let failure: ConnectorError
            do {
                let reply = try await client.send(.GET, url, headers: [("Accept", accept), ("User-Agent", "bourse-etl/\(BourseVersion.current)")],
                                                  timeout: policy.timeout, maxResponseBytes: 64 * 1024 * 1024)
                switch reply.status {
                case 429:
                    failure = ConnectorError(.rateLimited, "HTTP 429 from \(shown)", retryAfter: Self.retryAfter(reply.headers))
                case 500...599:
                    failure = ConnectorError(.unavailable, "HTTP \(reply.status) from \(shown)", retryAfter: Self.retryAfter(reply.headers))
                default:
                    return reply
                }
            } catch {
                failure = ConnectorError(.unavailable, "request to \(shown) failed: \(Redaction.text(String(describing: error)))")
            }
            let delay = failure.retryAfter ?? policy.backoff(afterAttempt: attempt)
            guard attempt < policy.maxAttempts, delay <= policy.maxRetryAfter else { throw failure }
            logger.notice("retrying provider request", metadata: [
                "url": .string(shown), "attempt": .stringConvertible(attempt), "reason": .string(failure.message),
                "delay_ms": .stringConvertible(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000),
            ])
            do { try await Task.sleep(for: delay) } catch { throw ConnectorError(.unavailable, "cancelled while waiting to retry \(shown)") }
        }
    }

    /// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3); `nil` when absent or unreadable.
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let value = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(0, Int64(date.timeIntervalSinceNow * 1000)))
    }
}

/// Keeps API keys out of logs, job errors and archives' metadata.
public enum Redaction {
    static let secretParameters: Set<String> = ["apikey", "api_key", "token", "key"]

    /// `url` with the values of `apikey`, `api_key`, `token` and `key` query parameters replaced by `<redacted>`.
    public static func url(_ url: String) -> String {
        guard var components = URLComponents(string: url), let items = components.queryItems else { return url }
        components.queryItems = items.map { secretParameters.contains($0.name.lowercased()) ? URLQueryItem(name: $0.name, value: "<redacted>") : $0 }
        return components.string ?? url
    }

    /// Any URL-looking secret parameter in free text (an error description that quotes the URL) redacted.
    public static func text(_ text: String) -> String {
        text.replacingOccurrences(of: "((?:apikey|api_key|token|key)=)[^&\\s\"']+", with: "$1<redacted>",
                                  options: [.regularExpression, .caseInsensitive])
    }
}
