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
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        var out = nans(values.count)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in rsiKernel(x, period, seed: seed, into: o) }
        }
        return out
    }

    static func rsiKernel(_ x: Kernels.In, _ period: Int, seed: Seed, into o: Kernels.Out) {
        let count = x.count
        guard count > period else { return }
        let n = Double(period), n1 = Double(period - 1)
        var gain = 0.0, loss = 0.0
        var prev = x[0]
        var today = 1
        if seed == .sma {
            while today <= period {
                let d = x[today] - prev
                prev = x[today]
                if d < 0 { loss -= d } else { gain += d }
                today += 1
            }
            loss /= n
            gain /= n
            let sum = gain + loss
            o[period] = isZero(sum) ? 0 : 100.0 * (gain / sum)
        }
        while today < count {
            let d = x[today] - prev
            prev = x[today]
            loss *= n1
            gain *= n1
            if d < 0 { loss -= d } else { gain += d }
            loss /= n
            gain /= n
            if today >= period {
                let sum = gain + loss
                o[today] = isZero(sum) ? 0 : 100.0 * (gain / sum)
            }
            today += 1
        }
    }

    /// MACD (Appel): line = EMA_fast − EMA_slow, signal = EMA_signal(line), histogram = line − signal.
    /// `.sma` seed (TA-Lib): the slow EMA is seeded at bar slow−1 and the fast EMA's seed SMA is taken over the
    /// `fast` bars ending at the same bar; the signal is seeded with the SMA of the first `signal` line values;
    /// all three outputs start at bar slow+signal−2 (33 for 12/26/9). `.firstValue`: every EMA starts at its
    /// first input (pandas), all outputs from bar 0.
    public static func macd(
        _ values: [Double], fast: Int = 12, slow: Int = 26, signal: Int = 9, seed: Seed = .sma
    ) throws(QuantError) -> SignalLines {
        let (line, signalLine, histogram) = try lineWithSignal(
            values, fast: fast, slow: slow, signal: signal, seed: seed, percent: false, alignFast: true)
        guard seed == .sma else { return SignalLines(line: line, signal: signalLine, histogram: histogram) }
        var aligned = line
        let start = min(slow + signal - 2, values.count)
        aligned.withUnsafeMutableBufferPointer { o in
            for i in 0..<start { o[i] = .nan }
        }
        return SignalLines(line: aligned, signal: signalLine, histogram: histogram)
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
        var fastEMA = nans(count), slowEMA = nans(count), line = nans(count), sig = nans(count), hist = nans(count)
        let kFast = 2.0 / Double(fast + 1), kSlow = 2.0 / Double(slow + 1), kSignal = 2.0 / Double(signal + 1)
        let lineStart = seed == .sma ? slow - 1 : 0
        guard count > lineStart else { return (line, sig, hist) }
        values.withUnsafeBufferPointer { x in
            fastEMA.withUnsafeMutableBufferPointer { f in
                slowEMA.withUnsafeMutableBufferPointer { s in
                    switch seed {
                    case .sma:
                        Kernels.ema(x, slow, k: kSlow, seedEnd: slow - 1, into: s)
                        Kernels.ema(x, fast, k: kFast, seedEnd: alignFast ? slow - 1 : fast - 1, into: f)
                    case .firstValue:
                        Kernels.emaFromFirst(x, k: kSlow, from: 0, into: s)
                        Kernels.emaFromFirst(x, k: kFast, from: 0, into: f)
                    }
                }
            }
        }
        fastEMA.withUnsafeBufferPointer { f in
            slowEMA.withUnsafeBufferPointer { s in
                line.withUnsafeMutableBufferPointer { l in
                    for i in lineStart..<count {
                        if percent {
                            l[i] = isZero(s[i]) ? 0 : ((f[i] - s[i]) / s[i]) * 100.0
                        } else {
                            l[i] = f[i] - s[i]
                        }
                    }
                }
            }
        }
        line.withUnsafeBufferPointer { l in
            sig.withUnsafeMutableBufferPointer { o in
                switch seed {
                case .sma: Kernels.ema(l, signal, k: kSignal, seedEnd: lineStart + signal - 1, into: o)
                case .firstValue: Kernels.emaFromFirst(l, k: kSignal, from: 0, into: o)
                }
            }
            sig.withUnsafeBufferPointer { s in
                hist.withUnsafeMutableBufferPointer { h in
                    for i in stride(from: lineStart + (seed == .sma ? signal - 1 : 0), to: count, by: 1) { h[i] = l[i] - s[i] }
                }
            }
        }
        return (line, sig, hist)
    }

    /// Rate of change in percent: ROC[i] = (x[i]/x[i−n] − 1)·100 (0 when x[i−n] = 0); first value at bar n.
    public static func roc(_ values: [Double], period: Int = 10) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        var out = nans(values.count)
        for i in stride(from: period, to: values.count, by: 1) {
            let base = values[i - period]
            out[i] = base != 0 ? ((values[i] / base) - 1.0) * 100.0 : 0
        }
        return out
    }

    /// Momentum: MOM[i] = x[i] − x[i−n]; first value at bar n.
    public static func momentum(_ values: [Double], period: Int = 10) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        var out = nans(values.count)
        for i in stride(from: period, to: values.count, by: 1) { out[i] = values[i] - values[i - period] }
        return out
    }

    /// TRIX: one-bar rate of change in percent of the triple SMA-seeded EMA, (E3[i]/E3[i−1] − 1)·100;
    /// first value at bar 3(n−1)+1 (TA-Lib).
    public static func trix(_ values: [Double], period: Int = 30) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        let (_, _, e3) = emaChain(values, period: period, depth: 3)
        var out = nans(values.count)
        for i in stride(from: 3 * (period - 1) + 1, to: values.count, by: 1) {
            out[i] = e3[i - 1] != 0 ? ((e3[i] / e3[i - 1]) - 1.0) * 100.0 : 0
        }
        return out
    }
}
