import Synchronization

/// Caps retries at a share of requests: every request deposits `ratio` of a token, every retry spends a whole
/// one. Over any stretch of traffic, retries therefore never exceed `ratio` × requests (plus the small
/// initial reserve), so a failing service cannot be hit by a retry storm.
public final class RetryBudget: Sendable {
    public let ratio: Double
    private let maxTokens: Double
    private let tokens: Mutex<Double>

    public init(ratio: Double = 0.2, initialTokens: Double = 0, maxTokens: Double = 100) {
        self.ratio = ratio
        self.maxTokens = maxTokens
        self.tokens = Mutex(initialTokens)
    }

    /// Called once per request (not per attempt).
    public func deposit() {
        tokens.withLock { $0 = min(maxTokens, $0 + ratio) }
    }

    /// Spends a token for one retry; `false` when the budget is exhausted.
    public func withdraw() -> Bool {
        tokens.withLock { value in
            guard value >= 1 else { return false }
            value -= 1
            return true
        }
    }
}
