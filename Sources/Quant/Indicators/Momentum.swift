/// A line with its signal line and histogram (MACD, PPO).
public struct SignalLines: Sendable, Hashable {
    public let line: [Double]
    public let signal: [Double]
    /// `line − signal`.
    public let histogram: [Double]
}

extension Indicators {
    /// Relative strength index with Wilder smoothing: RSI = 100·AvgGain/(AvgGain + AvgLoss), averages updated
    /// as A[i] = (A[i−1]·(n−1) + x)/n; first value at bar n; 0 when AvgGain + AvgLoss < 1e-8 (TA-Lib).
    /// `.sma` seed (TA-Lib/StockCharts): the first averages are the means of the gains/losses of bars 1...n.
    /// `.firstValue` (Python `ta`): the averages start at 0 on bar 0 and are Wilder-updated from bar 1.
    public static func rsi(_ values: [Double], period: Int = 14, seed: Seed = .sma) throws(QuantError) -> [Double] {
        guard !values.isEmpty else { throw .empty("values") }
        try QuantError.requirePeriod(period)
        var flags: UInt64 = 0
        let out = values.withUnsafeBufferPointer { x in
            Kernels.output(x.count, nanPrefix: period) { o in flags = rsiKernel(x, period, seed: seed, into: o) }
        }
        // The kernel flagged every value it read; it read all of them unless the input has ≤ period values.
        if values.count <= period || Kernels.hasNonFinite(flags) { try QuantError.requireFinite(values, "values") }
        return out
    }

    /// Writes RSI from bar `period` on (requires more than `period` values). Wilder's update is computed as
    /// A·(n−1)/n + x/n, four bars at a time (`Kernels.recurrence`).
    /// Returns the `finiteFlag`s of every value (all are read).
    @discardableResult
    static func rsiKernel(_ x: Kernels.In, _ period: Int, seed: Seed, into o: Kernels.Out) -> UInt64 {
        let count = x.count
        guard count > period else { return 0 }
        var flags: UInt64 = 0
        for t in 0...period { flags |= Kernels.finiteFlag(x[t]) }
        let n = Double(period), keep = Double(period - 1) / Double(period), share = 1.0 / Double(period)
        var gain = 0.0, loss = 0.0
        if seed == .sma {
            for t in 1...period {
                let d = x[t] - x[t - 1]
                if d < 0 { loss -= d } else { gain += d }
            }
            loss /= n
            gain /= n
        } else {
            for t in 1...period {
                let d = x[t] - x[t - 1]
                gain = gain * keep + (d > 0 ? d : 0) * share
                loss = loss * keep + (d < 0 ? -d : 0) * share
            }
        }
        let sum = gain + loss
        o[period] = isZero(sum) ? 0 : 100.0 * (gain / sum)
        // Blocks of 256 bars: gains and losses into small L1 buffers (vectorised), the average gains of the block
        // into a third, then the losses' recurrence writes the RSI. The input and output cross memory once.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * 256) { buffer in
            let gains = buffer.baseAddress!, losses = gains + 256, averageGains = gains + 512
            var start = period + 1
            while start < count {
                let end = min(start + 256, count)
                for t in start..<end {
                    let v = x[t]
                    flags |= Kernels.finiteFlag(v)
                    let d = v - x[t &- 1]
                    gains[t &- start] = (d > 0 ? d : 0) * share
                    losses[t &- start] = (d < 0 ? -d : 0) * share
                }
                let offset = start
                gain = Kernels.recurrence(start: gain, a: keep, start..<end, input: { gains[$0 &- offset] }, emit: {
                    averageGains[$0 &- offset] = $1
                })
                loss = Kernels.recurrence(start: loss, a: keep, start..<end, input: { losses[$0 &- offset] }, emit: { t, averageLoss in
                    let averageGain = averageGains[t &- offset], total = averageGain + averageLoss
                    // Divide unconditionally, then select: no branch, so the divisions of a step can pair up.
                    let value = 100.0 * (averageGain / total)
                    o[t] = isZero(total) ? 0 : value
                })
                start = end
            }
        }
        return flags
    }

    /// MACD (Appel): line = EMA_fast − EMA_slow, signal = EMA_signal(line), histogram = line − signal.
    /// `.sma` seed (TA-Lib): the slow EMA is seeded at bar slow−1 and the fast EMA's seed SMA is taken over the
    /// `fast` bars ending at the same bar; the signal is seeded with the SMA of the first `signal` line values;
    /// all three outputs start at bar slow+signal−2 (33 for 12/26/9). `.firstValue`: every EMA starts at its
    /// first input (pandas), all outputs from bar 0.
    public static func macd(
        _ values: [Double], fast: Int = 12, slow: Int = 26, signal: Int = 9, seed: Seed = .sma
    ) throws(QuantError) -> SignalLines {
        guard seed == .sma else {
            let (line, signalLine, histogram) = try lineWithSignal(
                values, fast: fast, slow: slow, signal: signal, seed: seed, percent: false, alignFast: true)
            return SignalLines(line: line, signal: signalLine, histogram: histogram)
        }
        guard !values.isEmpty else { throw .empty("values") }
        try QuantError.requirePeriod(fast, "fast")
        try QuantError.requirePeriod(slow, "slow")
        try QuantError.requirePeriod(signal, "signal")
        guard fast <= slow else { throw .invalidParameter("fast", fast, "must not exceed slow = \(slow)") }
        var flags: UInt64 = 0
        let result = values.withUnsafeBufferPointer { x in
            let (line, sig, hist) = Kernels.output3(x.count, nanPrefix: slow + signal - 2) { l, s, h in
                flags = macdKernel(x, fast: fast, slow: slow, signal: signal, line: l, signal: s, histogram: h)
            }
            return SignalLines(line: line, signal: sig, histogram: hist)
        }
        if values.count <= slow + signal - 2 || Kernels.hasNonFinite(flags) { try QuantError.requireFinite(values, "values") }
        return result
    }

    /// TA-Lib's MACD in one pass: both EMAs seeded at bar slow−1 (the fast one over the `fast` bars ending
    /// there), the signal seeded with the mean of the first `signal` line values; writes from bar slow+signal−2.
    private static func macdKernel(
        _ x: Kernels.In, fast: Int, slow: Int, signal: Int, line l: Kernels.Out, signal s: Kernels.Out, histogram h: Kernels.Out
    ) -> UInt64 {
        let count = x.count, start = slow + signal - 2
        guard count > start else { return 0 }
        var flags: UInt64 = 0
        let kFast = 2.0 / Double(fast + 1), kSlow = 2.0 / Double(slow + 1), kSignal = 2.0 / Double(signal + 1)
        let keepFast = 1 - kFast, keepSlow = 1 - kSlow, keepSignal = 1 - kSignal
        var slowEMA = 0.0, fastEMA = 0.0
        for i in 0..<slow {
            slowEMA += x[i]
            flags |= Kernels.finiteFlag(x[i])
        }
        for i in (slow - fast)..<slow { fastEMA += x[i] }
        slowEMA /= Double(slow)
        fastEMA /= Double(fast)
        var lineSum = fastEMA - slowEMA
        var i = slow
        while i <= start {
            flags |= Kernels.finiteFlag(x[i])
            slowEMA = slowEMA * keepSlow + x[i] * kSlow
            fastEMA = fastEMA * keepFast + x[i] * kFast
            lineSum += fastEMA - slowEMA
            i += 1
        }
        var line = fastEMA - slowEMA
        var sig = lineSum / Double(signal)
        l[start] = line
        s[start] = sig
        h[start] = line - sig
        while i < count {
            let v = x[i]
            flags |= Kernels.finiteFlag(v)
            slowEMA = slowEMA * keepSlow + v * kSlow
            fastEMA = fastEMA * keepFast + v * kFast
            line = fastEMA - slowEMA
            sig = sig * keepSignal + line * kSignal
            l[i] = line
            s[i] = sig
            h[i] = line - sig
            i += 1
        }
        return flags
    }

    /// Percentage price oscillator: line = 100·(EMA_fast − EMA_slow)/EMA_slow (0 when |EMA_slow| < 1e-8),
    /// signal = EMA_signal(line), histogram = line − signal. `.sma` seed: the line equals TA-Lib
    /// `PPO(fast, slow, matype=EMA)` from bar slow−1 (plain `ema` lines, each seeded on its own first window,
    /// unlike `macd`); signal and histogram start
    /// at bar slow+signal−2. `.firstValue`: pandas EMAs from bar 0 (the StockCharts/`ta` PPO sheet).
    public static func ppo(
        _ values: [Double], fast: Int = 12, slow: Int = 26, signal: Int = 9, seed: Seed = .sma
    ) throws(QuantError) -> SignalLines {
        let (line, signalLine, histogram) = try lineWithSignal(
            values, fast: fast, slow: slow, signal: signal, seed: seed, percent: true, alignFast: false)
        return SignalLines(line: line, signal: signalLine, histogram: histogram)
    }

    private static func lineWithSignal(
        _ values: [Double], fast: Int, slow: Int, signal: Int, seed: Seed, percent: Bool, alignFast: Bool
    ) throws(QuantError) -> ([Double], [Double], [Double]) {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(fast, "fast")
        try QuantError.requirePeriod(slow, "slow")
        try QuantError.requirePeriod(signal, "signal")
        guard fast <= slow else { throw .invalidParameter("fast", fast, "must not exceed slow = \(slow)") }
        let count = values.count
        let kFast = 2.0 / Double(fast + 1), kSlow = 2.0 / Double(slow + 1), kSignal = 2.0 / Double(signal + 1)
        let lineStart = seed == .sma ? slow - 1 : 0
        let signalStart = lineStart + (seed == .sma ? signal - 1 : 0)
        guard count > lineStart else { let none = nans(count); return (none, none, none) }
        // One pass writing only the three outputs: both EMAs, the line, the signal and the histogram per bar.
        // `.sma`: SMA seeds as `Kernels.ema` (each EMA step as prev·(1−k) + x·k); `.firstValue`: as
        // `Kernels.emaFromFirst` ((x − prev)·k + prev).
        let (line, sig, hist) = values.withUnsafeBufferPointer { x in
            Kernels.output3(count, nanPrefix: lineStart) { l, s, h in
                func mean(_ range: ClosedRange<Int>) -> Double {
                    var total = 0.0
                    for i in range { total += x[i] }
                    return total / Double(range.count)
                }
                func step(_ prev: Double, _ v: Double, _ k: Double) -> Double {
                    seed == .sma ? prev * (1 - k) + v * k : ((v - prev) * k) + prev
                }
                var slowEMA: Double, fastEMA: Double
                switch seed {
                case .sma:
                    slowEMA = mean(0...(slow - 1))
                    let fastSeedEnd = alignFast ? slow - 1 : fast - 1
                    fastEMA = mean((fastSeedEnd - fast + 1)...fastSeedEnd)
                    for i in stride(from: fastSeedEnd + 1, through: lineStart, by: 1) { fastEMA = step(fastEMA, x[i], kFast) }
                case .firstValue:
                    slowEMA = x[0]
                    fastEMA = x[0]
                }
                var signalValue = 0.0
                for i in lineStart..<count {
                    if i > lineStart {
                        slowEMA = step(slowEMA, x[i], kSlow)
                        fastEMA = step(fastEMA, x[i], kFast)
                    }
                    let lineValue: Double
                    if percent {
                        lineValue = isZero(slowEMA) ? 0 : ((fastEMA - slowEMA) / slowEMA) * 100.0
                    } else {
                        lineValue = fastEMA - slowEMA
                    }
                    l[i] = lineValue
                    if i < signalStart {
                        signalValue += lineValue  // the signal's seed sum, in bar order
                        s[i] = .nan
                        h[i] = .nan
                        continue
                    }
                    if i == signalStart {
                        signalValue = seed == .sma ? (signalValue + lineValue) / Double(signal) : lineValue
                    } else {
                        signalValue = step(signalValue, lineValue, kSignal)
                    }
                    s[i] = signalValue
                    h[i] = lineValue - signalValue
                }
            }
        }
        return (line, sig, hist)
    }

    /// Rate of change in percent: ROC[i] = (x[i]/x[i−n] − 1)·100 (0 when x[i−n] = 0); first value at bar n.
    public static func roc(_ values: [Double], period: Int = 10) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        return values.withUnsafeBufferPointer { x in
            Kernels.output(x.count, nanPrefix: period) { o in
                for i in period..<x.count {
                    let base = x[i - period]
                    let change = ((x[i] / base) - 1.0) * 100.0
                    o[i] = base != 0 ? change : 0
                }
            }
        }
    }

    /// Momentum: MOM[i] = x[i] − x[i−n]; first value at bar n.
    public static func momentum(_ values: [Double], period: Int = 10) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        return values.withUnsafeBufferPointer { x in
            Kernels.output(x.count, nanPrefix: period) { o in
                for i in period..<x.count { o[i] = x[i] - x[i - period] }
            }
        }
    }

    /// TRIX: one-bar rate of change in percent of the triple SMA-seeded EMA, (E3[i]/E3[i−1] − 1)·100;
    /// first value at bar 3(n−1)+1 (TA-Lib).
    public static func trix(_ values: [Double], period: Int = 30) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        let (_, _, e3) = emaChain(values, period: period, depth: 3)
        let start = 3 * (period - 1) + 1
        return e3.withUnsafeBufferPointer { e in
            Kernels.output(values.count, nanPrefix: start) { o in
                for i in start..<e.count { o[i] = e[i - 1] != 0 ? ((e[i] / e[i - 1]) - 1.0) * 100.0 : 0 }
            }
        }
    }
}
