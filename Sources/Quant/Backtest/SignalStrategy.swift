/// A long-only strategy driven by one signal column per symbol: on bar `t`, a signal of 1 means "be long",
/// 0 "be flat", NaN "no change". When the signal differs from the position the strategy last asked for, it
/// submits a market order to `targetPercent(signal × weight)`, which fills at bar `t + 1`'s open.
///
/// The signal at `t` is computed in `prepare` from indicator values at `t` and `t − 1` only (Quant's indicators
/// are causal), and read through `StrategyContext.value`, which cannot reach beyond `t`.
public struct SignalStrategy: TradingStrategy, Sendable {
    /// The rule that turns indicators into signals (parameters are documented in `BuiltInStrategies.catalogue`).
    public enum Rule: Sendable, Hashable {
        /// Long from the bar SMA(fast) crosses above SMA(slow) (`f[t−1] ≤ s[t−1]`, `f[t] > s[t]`), flat from the
        /// bar it crosses below (`f[t−1] ≥ s[t−1]`, `f[t] < s[t]`).
        case smaCross(fast: Int, slow: Int)
        /// The same with EMAs (TA-Lib seeding).
        case emaCross(fast: Int, slow: Int)
        /// Long when RSI(period) < lower, flat when RSI > upper.
        case rsiReversion(period: Int, lower: Double, upper: Double)
        /// Long when the close is above the upper Bollinger band, flat when below the middle band.
        case bollingerBreakout(period: Int, deviations: Double)
        /// Long when the close is below the lower Bollinger band, flat when above the middle band.
        case bollingerReversion(period: Int, deviations: Double)
        /// Long when the MACD line crosses above its signal line, flat when it crosses below.
        case macd(fast: Int, slow: Int, signal: Int)
        /// Long when the close exceeds the highest high of the `entry` bars before, flat when it falls below the
        /// lowest low of the `exit` bars before.
        case donchianBreakout(entry: Int, exit: Int)
        /// Crossing of two given calendar-length columns per symbol (`fast[s]`, `slow[s]`), e.g. SMAs computed
        /// once and shared by the strategies of a parameter grid.
        case crossing(fast: [[Double]], slow: [[Double]])
    }

    public let rule: Rule
    /// Per-symbol target weights when long; `nil`: 1 / number of symbols each.
    public let weights: [Double]?
    private var signals: [[Double]] = []
    private var intended: [Double] = []
    private var targets: [Double] = []

    public init(_ rule: Rule, weights: [Double]? = nil) {
        self.rule = rule
        self.weights = weights
    }

    public mutating func prepare(_ bars: MarketBars) throws(QuantError) {
        let count = bars.symbols.count
        targets = try BuiltInStrategies.weights(weights, symbolCount: count)
        intended = [Double](repeating: 0, count: count)
        signals = []
        signals.reserveCapacity(count)
        for s in 0..<count { signals.append(try signal(bars, s)) }
    }

    public mutating func onBar(_ context: inout StrategyContext) {
        for s in signals.indices {
            guard let v = context.value(signals[s]), !v.isNaN, v != intended[s] else { continue }
            intended[s] = v
            context.submit(.target(s, percent: v * targets[s]))
        }
    }

    private func signal(_ bars: MarketBars, _ s: Int) throws(QuantError) -> [Double] {
        switch rule {
        case .smaCross(let fast, let slow):
            return Self.crossings(
                try bars.column(s) { v throws(QuantError) in try Indicators.sma(v, period: fast) },
                try bars.column(s) { v throws(QuantError) in try Indicators.sma(v, period: slow) })
        case .emaCross(let fast, let slow):
            return Self.crossings(
                try bars.column(s) { v throws(QuantError) in try Indicators.ema(v, period: fast) },
                try bars.column(s) { v throws(QuantError) in try Indicators.ema(v, period: slow) })
        case .crossing(let fast, let slow):
            guard fast.count == bars.symbols.count, slow.count == bars.symbols.count else {
                throw .lengthMismatch("crossing columns", Swift.min(fast.count, slow.count), "symbols", bars.symbols.count)
            }
            guard fast[s].count == bars.dateCount, slow[s].count == bars.dateCount else {
                throw .lengthMismatch("crossing column of \(bars.symbols[s])", fast[s].count, "dates", bars.dateCount)
            }
            return Self.crossings(fast[s], slow[s])
        case .macd(let fast, let slow, let signal):
            var lines: SignalLines?
            _ = try bars.column(s) { v throws(QuantError) in
                lines = try Indicators.macd(v, fast: fast, slow: slow, signal: signal)
                return lines!.line
            }
            let pad = [Double](repeating: .nan, count: bars.firstBar[s])
            return Self.crossings(pad + lines!.line, pad + lines!.signal)
        case .rsiReversion(let period, let lower, let upper):
            let rsi = try bars.column(s) { v throws(QuantError) in try Indicators.rsi(v, period: period) }
            return rsi.map { $0 < lower ? 1 : $0 > upper ? 0 : .nan }
        case .bollingerBreakout(let period, let deviations), .bollingerReversion(let period, let deviations):
            var bands: Bands?
            _ = try bars.column(s) { v throws(QuantError) in
                bands = try Indicators.bollingerBands(v, period: period, deviations: deviations)
                return bands!.middle
            }
            let first = bars.firstBar[s], base = s * bars.dateCount
            var out = [Double](repeating: .nan, count: bars.dateCount)
            let breakout = if case .bollingerBreakout = rule { true } else { false }
            for t in first..<bars.dateCount {
                let c = bars.close[base + t], i = t - first
                let upper = bands!.upper[i], middle = bands!.middle[i], lower = bands!.lower[i]
                if breakout {
                    out[t] = c > upper ? 1 : c < middle ? 0 : .nan
                } else {
                    out[t] = c < lower ? 1 : c > middle ? 0 : .nan
                }
            }
            return out
        case .donchianBreakout(let entry, let exit):
            let base = s * bars.dateCount, first = bars.firstBar[s], range = (base + first)..<(base + bars.dateCount)
            let high = Array(bars.high[range]), low = Array(bars.low[range])
            let upper = try Indicators.donchianChannel(high: high, low: low, period: entry, offset: 1).upper
            let lower = try Indicators.donchianChannel(high: high, low: low, period: exit, offset: 1).lower
            var out = [Double](repeating: .nan, count: bars.dateCount)
            for t in first..<bars.dateCount {
                let c = bars.close[base + t], i = t - first
                out[t] = c > upper[i] ? 1 : c < lower[i] ? 0 : .nan
            }
            return out
        }
    }

    /// 1 where `fast` crosses above `slow`, 0 where it crosses below, NaN elsewhere (and where any of the four
    /// values is NaN).
    static func crossings(_ fast: [Double], _ slow: [Double]) -> [Double] {
        var out = [Double](repeating: .nan, count: fast.count)
        guard fast.count > 1 else { return out }
        for t in 1..<fast.count {
            let f0 = fast[t - 1], s0 = slow[t - 1], f1 = fast[t], s1 = slow[t]
            if f0 <= s0, f1 > s1 { out[t] = 1 } else if f0 >= s0, f1 < s1 { out[t] = 0 }
        }
        return out
    }
}
