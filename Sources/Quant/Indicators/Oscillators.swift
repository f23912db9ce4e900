/// A %K line and its %D signal (stochastics).
public struct Stochastic: Sendable, Hashable {
    public let k: [Double]
    public let d: [Double]
}

extension Indicators {
    /// Slow stochastic (Lane), TA-Lib `STOCH` with SMAs: fast %K = 100·(C − LL_n)/(HH_n − LL_n) (0 when the
    /// range is 0), slow %K = SMA_kSmoothing(fast %K), slow %D = SMA_dPeriod(slow %K); both start at bar
    /// (n−1)+(kSmoothing−1)+(dPeriod−1).
    public static func stochastic(
        high: [Double], low: [Double], close: [Double], period: Int = 14, kSmoothing: Int = 3, dPeriod: Int = 3
    ) throws(QuantError) -> Stochastic {
        try requireBars(high: high, low: low, close: close)
        try QuantError.requirePeriod(period)
        try QuantError.requirePeriod(kSmoothing, "kSmoothing")
        try QuantError.requirePeriod(dPeriod, "dPeriod")
        let count = close.count
        let fastK = rawStochastic(high: high, low: low, close: close, period: period)
        var slowK = nans(count), slowD = nans(count)
        _ = fastK.withUnsafeBufferPointer { f in
            slowK.withUnsafeMutableBufferPointer { o in Kernels.sma(f, kSmoothing, from: period - 1, into: o) }
        }
        _ = slowK.withUnsafeBufferPointer { k in
            slowD.withUnsafeMutableBufferPointer { o in Kernels.sma(k, dPeriod, from: period + kSmoothing - 2, into: o) }
        }
        let start = min(period + kSmoothing + dPeriod - 3, count)
        for i in 0..<start { slowK[i] = .nan }
        return Stochastic(k: slowK, d: slowD)
    }

    /// Fast stochastic, TA-Lib `STOCHF`: %K = 100·(C − LL_n)/(HH_n − LL_n) (0 when the range is 0),
    /// %D = SMA_dPeriod(%K); both start at bar (n−1)+(dPeriod−1). With dPeriod 1, %K starts at bar n−1.
    public static func stochasticFast(
        high: [Double], low: [Double], close: [Double], period: Int = 14, dPeriod: Int = 3
    ) throws(QuantError) -> Stochastic {
        try requireBars(high: high, low: low, close: close)
        try QuantError.requirePeriod(period)
        try QuantError.requirePeriod(dPeriod, "dPeriod")
        return fastStochastic(high: high, low: low, close: close, period: period, dPeriod: dPeriod)
    }

    private static func fastStochastic(high: [Double], low: [Double], close: [Double], period: Int, dPeriod: Int) -> Stochastic {
        var fastK = rawStochastic(high: high, low: low, close: close, period: period)
        var fastD = nans(close.count)
        _ = fastK.withUnsafeBufferPointer { f in
            fastD.withUnsafeMutableBufferPointer { o in Kernels.sma(f, dPeriod, from: period - 1, into: o) }
        }
        for i in 0..<min(period + dPeriod - 2, close.count) { fastK[i] = .nan }
        return Stochastic(k: fastK, d: fastD)
    }

    /// 100·(C − LL_n)/(HH_n − LL_n), 0 for a zero range, clamped to
    /// [0, 100] against rounding; from bar n−1.
    private static func rawStochastic(high: [Double], low: [Double], close: [Double], period: Int) -> [Double] {
        high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    Kernels.output(c.count, nanPrefix: period - 1) { o in
                        Kernels.rollingExtremes(h, l, window: period) { i, highestIndex, lowestIndex in
                            guard i >= period - 1 else { return }
                            let lowest = l[lowestIndex]
                            let range = h[highestIndex] - lowest
                            // One division (TA-Lib divides twice, by range/100); clamped so rounding cannot
                            // leave [0, 100] (TA-Lib can print 100.00000000000001).
                            o[i] = range != 0 ? min(max(100 * ((c[i] - lowest) / range), 0), 100) : 0
                        }
                    }
                }
            }
        }
    }

    /// Stochastic RSI (Chande & Kroll), TA-Lib `STOCHRSI`: the fast stochastic of RSI_n with the RSI as high,
    /// low and close: %K = 100·(RSI − min_k RSI)/(max_k RSI − min_k RSI) (0 for a zero range),
    /// %D = SMA_dPeriod(%K); both start at bar n + (kPeriod−1) + (dPeriod−1). `seed` selects the RSI start.
    public static func stochasticRSI(
        _ values: [Double], period: Int = 14, kPeriod: Int = 14, dPeriod: Int = 3, seed: Seed = .sma
    ) throws(QuantError) -> Stochastic {
        try QuantError.requirePeriod(kPeriod, "kPeriod")
        try QuantError.requirePeriod(dPeriod, "dPeriod")
        let r = try rsi(values, period: period, seed: seed)
        let count = values.count
        guard count > period else { return Stochastic(k: r, d: r) }
        let tail = Array(r[period...])
        let inner = fastStochastic(high: tail, low: tail, close: tail, period: kPeriod, dPeriod: dPeriod)
        let lead = min(count, period + kPeriod + dPeriod - 2)
        let k = Kernels.output(count, nanPrefix: lead) { o in for i in lead..<count { o[i] = inner.k[i - period] } }
        let d = Kernels.output(count, nanPrefix: lead) { o in for i in lead..<count { o[i] = inner.d[i - period] } }
        return Stochastic(k: k, d: d)
    }

    /// Williams %R: −100·(HH_n − C)/(HH_n − LL_n) in [−100, 0] (0 when the range is 0); first value at bar n−1.
    public static func williamsR(high: [Double], low: [Double], close: [Double], period: Int = 14) throws(QuantError) -> [Double] {
        try requireBars(high: high, low: low, close: close)
        try QuantError.requirePeriod(period)
        return high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    Kernels.output(c.count, nanPrefix: period - 1) { o in
                        Kernels.rollingExtremes(h, l, window: period) { i, highestIndex, lowestIndex in
                            guard i >= period - 1 else { return }
                            let highest = h[highestIndex]
                            let range = highest - l[lowestIndex]
                            o[i] = range != 0 ? -100 * ((highest - c[i]) / range) : 0
                        }
                    }
                }
            }
        }
    }

    /// Commodity channel index (Lambert): TP = (H+L+C)/3, CCI = (TP − SMA_n(TP)) / (0.015·MD), MD the mean
    /// absolute deviation of the n TPs from their mean; 0 when either is 0; first value at bar n−1.
    public static func cci(high: [Double], low: [Double], close: [Double], period: Int = 20) throws(QuantError) -> [Double] {
        try requireBars(high: high, low: low, close: close)
        try QuantError.requirePeriod(period)
        let count = close.count
        var out = nans(count)
        guard count >= period else { return out }
        var tp = [Double](repeating: 0, count: count)
        for i in 0..<count { tp[i] = (high[i] + low[i] + close[i]) / 3 }
        let n = Double(period)
        tp.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                for i in (period - 1)..<count {
                    var sum = 0.0
                    for j in (i - period + 1)...i { sum += t[j] }
                    let mean = sum / n
                    var deviation = 0.0
                    for j in (i - period + 1)...i { deviation += abs(t[j] - mean) }
                    let distance = t[i] - mean
                    o[i] = distance != 0 && deviation != 0 ? distance / (0.015 * (deviation / n)) : 0
                }
            }
        }
        return out
    }

    /// Ultimate oscillator (Williams): BP = C − min(L, C[i−1]), TR = true range,
    /// UO = 100·(4·A₁ + 2·A₂ + A₃)/7 with A = ΣBP/ΣTR over the shortest, middle and longest period (a term is
    /// 0 when its ΣTR < 1e-8); first value at bar max(periods) (TA-Lib `ULTOSC`).
    public static func ultimateOscillator(
        high: [Double], low: [Double], close: [Double], periods: (Int, Int, Int) = (7, 14, 28)
    ) throws(QuantError) -> [Double] {
        try requireBars(high: high, low: low, close: close)
        let sorted = [periods.0, periods.1, periods.2].sorted()
        for p in sorted { try QuantError.requirePeriod(p, "period") }
        let count = close.count
        var out = nans(count)
        let start = sorted[2]
        guard count > start else { return out }
        high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    @inline(__always) func terms(_ day: Int) -> (Double, Double) {
                        (c[day] - min(l[day], c[day - 1]), Kernels.trueRange(h, l, c, day))
                    }
                    var a = [0.0, 0.0, 0.0], b = [0.0, 0.0, 0.0]
                    for (s, p) in sorted.enumerated() {
                        for day in stride(from: start - p + 1, to: start, by: 1) {
                            let (bp, tr) = terms(day)
                            a[s] += bp
                            b[s] += tr
                        }
                    }
                    for today in start..<count {
                        let (bp, tr) = terms(today)
                        var output = 0.0
                        for s in 0..<3 {
                            a[s] += bp
                            b[s] += tr
                        }
                        if !isZero(b[0]) { output += 4.0 * (a[0] / b[0]) }
                        if !isZero(b[1]) { output += 2.0 * (a[1] / b[1]) }
                        if !isZero(b[2]) { output += a[2] / b[2] }
                        for (s, p) in sorted.enumerated() {
                            let (obp, otr) = terms(today - p + 1)
                            a[s] -= obp
                            b[s] -= otr
                        }
                        out[today] = 100.0 * (output / 7.0)
                    }
                }
            }
        }
        return out
    }
}
