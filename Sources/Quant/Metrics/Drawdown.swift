/// The deepest fall of the wealth curve below a previous peak, and when it happened.
///
/// Positions are indices into the wealth curve of `n + 1` points: point 0 is the starting value 1 before any
/// return, point `i` the value after the first `i` returns. For returns computed from prices, point `i` is
/// price row `i`, so `dates[peak]` names the peak's date.
public struct Drawdown: Sendable, Hashable, Codable {
    /// `min((w - runningMax(w)) / runningMax(w))`, between -1 and 0 (empyrical `max_drawdown`, whose running
    /// maximum also starts at the initial value). 0 when the curve never falls.
    public let depth: Double
    /// Where and how long; `nil` when `depth` is 0.
    public let episode: Episode?

    public struct Episode: Sendable, Hashable, Codable {
        /// Last point at the running maximum before the trough.
        public let peak: Int
        /// First point where the deepest drawdown is reached.
        public let trough: Int
        /// First point after the trough back at or above the peak's value; `nil` if never recovered.
        public let recovery: Int?
        /// Periods from peak to recovery, or to the last point while unrecovered.
        public let length: Int

        public init(peak: Int, trough: Int, recovery: Int?, length: Int) {
            self.peak = peak
            self.trough = trough
            self.recovery = recovery
            self.length = length
        }
    }

    public init(depth: Double, episode: Episode?) {
        self.depth = depth
        self.episode = episode
    }
}

extension Metrics {
    /// Maximum drawdown of the wealth curve `w[0] = 1, w[i] = prod(1 + r[0..<i])`; see `Drawdown`.
    public static func maxDrawdown(_ returns: [Double]) throws(QuantError) -> Drawdown {
        try QuantError.requireReturns(returns)
        var tracker = DrawdownTracker()
        for r in returns { tracker.add(r) }
        _ = try checkedGrowth(tracker.wealth)
        return tracker.result
    }
}

/// One pass over returns that keeps the wealth, its running peak and the deepest drawdown so far.
struct DrawdownTracker {
    private(set) var wealth = 1.0
    private var index = 0
    private var peak = 1.0
    private var peakIndex = 0
    private var depth = 0.0
    private var deepestPeak = 0
    private var deepestTrough = 0
    private var recovery: Int?
    private var awaitingRecovery = false

    @inline(__always)
    mutating func add(_ r: Double) {
        wealth *= 1 + r
        index += 1
        if wealth >= peak {
            peak = wealth
            peakIndex = index
            if awaitingRecovery {
                recovery = index
                awaitingRecovery = false
            }
        } else {
            let drawdown = (wealth - peak) / peak
            if drawdown < depth {
                depth = drawdown
                deepestPeak = peakIndex
                deepestTrough = index
                recovery = nil
                awaitingRecovery = true
            }
        }
    }

    var result: Drawdown {
        guard depth < 0 else { return Drawdown(depth: 0, episode: nil) }
        let end = recovery ?? index
        return Drawdown(
            depth: depth,
            episode: Drawdown.Episode(peak: deepestPeak, trough: deepestTrough, recovery: recovery, length: end - deepestPeak))
    }
}
