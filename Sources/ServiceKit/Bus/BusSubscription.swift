/// How a consumer group consumes a topic.
public struct BusSubscription: Sendable {
    /// Handlers running at once in this consumer (events of one key never run concurrently). Default 4.
    public var maxConcurrent: Int
    /// Deliveries before an event goes to `<topic>.dlq`. Default 5.
    public var maxAttempts: Int
    /// Delay before the first retry; doubled each further retry, up to ``maxBackoff``. Default 0.5 s.
    public var initialBackoff: Duration
    /// Longest delay between retries. Default 60 s.
    public var maxBackoff: Duration
    /// How long a claimed event belongs to this consumer; if it has not acknowledged by then (it died),
    /// another consumer of the group gets the event. Keep it above the slowest handler. Default 30 s.
    public var lease: Duration
    /// How often to look for events published by other processes. Default 200 ms.
    public var pollInterval: Duration

    public init(maxConcurrent: Int = 4, maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(500),
                maxBackoff: Duration = .seconds(60), lease: Duration = .seconds(30), pollInterval: Duration = .milliseconds(200)) {
        precondition(maxConcurrent > 0 && maxAttempts > 0, "a subscription needs at least one handler slot and one attempt")
        self.maxConcurrent = maxConcurrent
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.lease = lease
        self.pollInterval = pollInterval
    }

    /// Exponential backoff with equal jitter: half the doubled delay fixed, half random, so that failing
    /// consumers do not retry in lockstep.
    func backoff(afterAttempt attempt: Int) -> Duration {
        let doubled = initialBackoff * (1 << min(max(attempt - 1, 0), 30))
        let capped = min(doubled, maxBackoff)
        return capped / 2 + capped / 2 * Double.random(in: 0...1)
    }
}
