import Synchronization

/// Caps retries at a share of requests: every request deposits `ratio` of a token, every retry spends a whole
/// one. Over any stretch of traffic, retries therefore never exceed `ratio` × requests (plus the small
/// initial reserve), so a failing service cannot be hit by a retry storm.
public final class RetryBudget: Sendable {
    public let ratio: Double
    /// Tokens in millionths, changed by compare-and-exchange (every request deposits, on every event loop at
    /// once; a lock was a point they all met at).
    private let micros: Atomic<Int>
    private let maxMicros: Int
    private let ratioMicros: Int
    private static let scale = 1_000_000

    public init(ratio: Double = 0.2, initialTokens: Double = 0, maxTokens: Double = 100) {
        self.ratio = ratio
        self.ratioMicros = Int((ratio * Double(Self.scale)).rounded())
        self.maxMicros = Int((maxTokens * Double(Self.scale)).rounded())
        self.micros = Atomic(Int((initialTokens * Double(Self.scale)).rounded()))
    }

    /// Called once per request (not per attempt).
    public func deposit() {
        var current = micros.load(ordering: .relaxed)
        while current < maxMicros {
            let (exchanged, found) = micros.compareExchange(expected: current, desired: min(maxMicros, current + ratioMicros),
                                                            ordering: .relaxed)
            if exchanged { return }
            current = found
        }
    }

    /// Spends a token for one retry; `false` when the budget is exhausted.
    public func withdraw() -> Bool {
        var current = micros.load(ordering: .relaxed)
        while current >= Self.scale {
            let (exchanged, found) = micros.compareExchange(expected: current, desired: current - Self.scale, ordering: .relaxed)
            if exchanged { return true }
            current = found
        }
        return false
    }
}
