/// When a failed attempt at an upstream may be followed by another, for both request paths (the router path's
/// ``UpstreamCaller`` and the gateway's event-loop proxy): only idempotent requests, at most ``maxAttempts``
/// attempts in all, only while the request's deadline has time left, and only with a token from the shared
/// ``RetryBudget`` (so a failing service sees at most the budget's share of extra load).
public struct RetryPolicy: Sendable {
    /// Attempts per request, the first included.
    public let maxAttempts: Int
    public let budget: RetryBudget
    public let metrics: RoutingMetrics?

    public init(maxAttempts: Int = 3, budget: RetryBudget, metrics: RoutingMetrics?) {
        precondition(maxAttempts >= 1, "a request needs at least one attempt")
        self.maxAttempts = maxAttempts
        self.budget = budget
        self.metrics = metrics
    }

    /// Whether a request may be sent twice: RFC 9110's idempotent methods, and POST with an `Idempotency-Key`.
    public static func isIdempotent(method: String, hasIdempotencyKey: Bool) -> Bool {
        ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method) || (method == "POST" && hasIdempotencyKey)
    }

    /// Records a request that could be retried: it earns the budget its share of a token.
    public func admit() {
        budget.deposit()
    }

    /// Whether one more attempt may follow `attemptsMade`; spends a budget token when it says yes. The caller has
    /// already established that the request is retryable.
    public func mayRetry(service: String, attemptsMade: Int, timeLeft: Bool) -> Bool {
        guard attemptsMade < maxAttempts, timeLeft else { return false }
        guard budget.withdraw() else {
            metrics?.budgetExhausted(service: service)
            return false
        }
        metrics?.retried(service: service)
        return true
    }
}
