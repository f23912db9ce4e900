extension Indicators {
    /// Simple moving average: SMA[i] = mean(x[i−n+1...i]); first value at bar n−1.
    public static func sma(_ values: [Double], period: Int = 20) throws(QuantError) -> [Double] {
        guard !values.isEmpty else { throw .empty("values") }
        try QuantError.requirePeriod(period)
        var flags: UInt64 = 0
        let out = values.withUnsafeBufferPointer { x in
            Kernels.output(x.count, nanPrefix: period - 1) { o in flags = Kernels.sma(x, period, from: 0, into: o) }
        }
        // The kernel flagged every value it read; it read all of them unless the input is shorter than the period.
        if values.count < period || Kernels.hasNonFinite(flags) { try QuantError.requireFinite(values, "values") }
        return out
    }

    /// Exponential moving average, k = 2/(n+1): EMA[i] = EMA[i−1] + k·(x[i] − EMA[i−1]).
    /// `.sma` seed (TA-Lib, default): EMA[n−1] = SMA of x[0...n−1]; `.firstValue`: EMA[0] = x[0] (pandas).
    public static func ema(_ values: [Double], period: Int = 20, seed: Seed = .sma) throws(QuantError) -> [Double] {
        guard !values.isEmpty else { throw .empty("values") }
        try QuantError.requirePeriod(period)
        let k = 2.0 / Double(period + 1)
        var flags: UInt64 = 0
        let out = values.withUnsafeBufferPointer { x in
            Kernels.output(x.count, nanPrefix: seed == .sma ? period - 1 : 0) { o in
                switch seed {
                case .sma: flags = Kernels.ema(x, period, k: k, seedEnd: period - 1, into: o)
                case .firstValue:
                    Kernels.emaFromFirst(x, k: k, from: 0, into: o)
                    flags = 0x8000_0000_0000_0000  // not flagged by this kernel: always run the exact check
                }
            }
        }
        if values.count < period || Kernels.hasNonFinite(flags) { try QuantError.requireFinite(values, "values") }
        return out
    }

    /// Linearly weighted moving average: WMA[i] = Σ_{j=1...n} j·x[i−n+j] / (n(n+1)/2); first value at bar n−1.
    public static func wma(_ values: [Double], period: Int = 9) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        let count = values.count
        var out = nans(count)
        guard count >= period else { return out }
        let divider = Double((period * (period + 1)) >> 1)
        let weight = Double(period)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                // TA-Lib's update: the weighted sum drops the plain window sum each bar.
                var periodSum = 0.0, periodSub = 0.0
                var i = 0
                while i < period - 1 {
                    periodSub += x[i]
                    periodSum += x[i] * Double(i + 1)
                    i += 1
                }
                var trailingValue = 0.0
                var trailing = 0
                while i < count {
                    let v = x[i]
                    periodSub += v
                    periodSub -= trailingValue
                    periodSum += v * weight
                    trailingValue = x[trailing]
                    trailing += 1
                    o[i] = periodSum / divider
                    periodSum -= periodSub
                    i += 1
                }
            }
        }
        return out
    }

    /// Double EMA (Mulloy): DEMA = 2·EMA(x) − EMA(EMA(x)), SMA-seeded EMAs; first value at bar 2(n−1).
    public static func dema(_ values: [Double], period: Int = 30) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        let (e1, e2Chain, _) = emaChain(values, period: period, depth: 2)
        var e2 = e2Chain
        e1.withUnsafeBufferPointer { first in combine(&e2, from: 2 * (period - 1)) { i, e2 in (2.0 * first[i]) - e2 } }
        return e2
    }

    /// Triple EMA (Mulloy): TEMA = 3·EMA − 3·EMA(EMA) + EMA(EMA(EMA)), SMA-seeded; first value at bar 3(n−1).
    public static func tema(_ values: [Double], period: Int = 30) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        let (e1, e2, e3Chain) = emaChain(values, period: period, depth: 3)
        var e3 = e3Chain
        e1.withUnsafeBufferPointer { first in
            e2.withUnsafeBufferPointer { second in
                combine(&e3, from: 3 * (period - 1)) { i, e3 in (3.0 * first[i]) - (3.0 * second[i]) + e3 }
            }
        }
        return e3
    }

    /// EMA, EMA of EMA and (if depth 3) EMA of that, each SMA-seeded on the first bar its input is defined.
    static func emaChain(_ values: [Double], period: Int, depth: Int) -> ([Double], [Double], [Double]) {
        let count = values.count
        let k = 2.0 / Double(period + 1)
        func next(_ input: [Double], seedEnd: Int) -> [Double] {
            input.withUnsafeBufferPointer { x in
                Kernels.output(count, nanPrefix: seedEnd) { o in Kernels.ema(x, period, k: k, seedEnd: seedEnd, into: o) }
            }
        }
        let e1 = next(values, seedEnd: period - 1)
        let e2 = next(e1, seedEnd: 2 * (period - 1))
        return (e1, e2, depth == 3 ? next(e2, seedEnd: 3 * (period - 1)) : [])
    }

    /// Replaces `values[i]` by `f(i, values[i])` for i ≥ `from`.
    @inline(__always)
    static func combine(_ values: inout [Double], from: Int, _ f: (Int, Double) -> Double) {
        values.withUnsafeMutableBufferPointer { o in
            for i in stride(from: from, to: o.count, by: 1) { o[i] = f(i, o[i]) }
        }
    }

    /// Kaufman adaptive moving average: ER = |x[i]−x[i−n]| / Σ|x[j]−x[j−1]| over the last n changes,
    /// sc = (ER·(2/3 − 2/31) + 2/31)², KAMA[i] = KAMA[i−1] + sc·(x[i] − KAMA[i−1]).
    /// TA-Lib start: first value at bar n, with x[n−1] as the previous KAMA (ER = 1 when the sum of changes
    /// is ≤ the net change or |sum| < 1e-8). Fast/slow periods fixed at 2 and 30, as in TA-Lib and StockCharts.
    public static func kama(_ values: [Double], period: Int = 10) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(values, "values")
        try QuantError.requirePeriod(period)
        let count = values.count
        var out = nans(count)
        guard count > period else { return out }
        let constMax = 2.0 / (30.0 + 1.0)
        let constDiff = 2.0 / (2.0 + 1.0) - constMax
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                var sumROC1 = 0.0
                for j in 0..<period { sumROC1 += abs(x[j] - x[j + 1]) }
                var prevKAMA = x[period - 1]
                var trailing = 0
                var trailingValue = x[0]
                var today = period
                while today < count {
                    let v = x[today]
                    if today > period {
                        let t = x[trailing + 1]
                        sumROC1 -= abs(trailingValue - t)
                        sumROC1 += abs(v - x[today - 1])
                        trailingValue = t
                        trailing += 1
                    }
                    let periodROC = v - x[trailing]
                    var er = 1.0
                    if !(sumROC1 <= periodROC || isZero(sumROC1)) { er = abs(periodROC / sumROC1) }
                    var sc = (er * constDiff) + constMax
                    sc *= sc
                    prevKAMA = ((v - prevKAMA) * sc) + prevKAMA
                    o[today] = prevKAMA
                    today += 1
                }
            }
        }
        return out
    }
}
