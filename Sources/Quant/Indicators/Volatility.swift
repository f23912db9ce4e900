/// An upper, middle and lower line (Bollinger Bands, Keltner and Donchian channels).
public struct Bands: Sendable, Hashable {
    public let upper: [Double]
    public let middle: [Double]
    public let lower: [Double]
}

extension Indicators {
    /// Bollinger Bands: middle = SMA_n, upper/lower = middle ± k·σ, σ the POPULATION standard deviation
    /// (divide by n) of the same n values; all three from bar n−1 (TA-Lib `BBANDS(n, k, k, SMA)`).
    /// σ comes from sums re-anchored every 128 bars, so no cancellation or drift builds up over long series;
    /// TA-Lib zeroes σ² below 1e-8 (σ < 1e-4), here only rounding below 0 is clamped to 0.
    public static func bollingerBands(_ values: [Double], period: Int = 20, deviations: Double = 2) throws(QuantError) -> Bands {
        guard !values.isEmpty else { throw .empty("values") }
        try QuantError.requirePeriod(period)
        guard deviations.isFinite, deviations >= 0 else {
            throw .invalidParameter("deviations", deviations, "must be a finite number ≥ 0")
        }
        var flags: UInt64 = 0
        let (upper, middle, lower) = values.withUnsafeBufferPointer { x in
            Kernels.output3(x.count, nanPrefix: period - 1) { u, m, l in
                flags = bollingerKernel(x, period, deviations: deviations, upper: u, middle: m, lower: l)
            }
        }
        if values.count < period || Kernels.hasNonFinite(flags) { try QuantError.requireFinite(values, "values") }
        return Bands(upper: upper, middle: middle, lower: lower)
    }

    /// One pass: the middle line is the SMA kernel's running sum (bit-identical to `sma`); σ² = Σ(x−c)²/n − (m−c)²
    /// with the anchor c re-set to the current value and both sums recomputed exactly every 128 bars, so neither
    /// cancellation nor drift builds up. Each 128-bar block runs the sums (the only loop-carried work) writing the
    /// mean and σ² (σ² to an L1 buffer), then a loop without carried dependencies, which vectorises, takes the
    /// square roots and writes the bands; the arithmetic is the same as in a single loop.
    private static func bollingerKernel(
        _ x: Kernels.In, _ period: Int, deviations: Double, upper u: Kernels.Out, middle m: Kernels.Out, lower l: Kernels.Out
    ) -> UInt64 {
        let count = x.count
        guard count >= period else { return 0 }
        var flags: UInt64 = 0
        let inverse = 1.0 / Double(period)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 128) { variances in
            var i = period - 1
            while i < count {
                // Exact sums at the start of each block, in the same order as the SMA kernel.
                let anchor = x[i]
                var total = 0.0, s2 = 0.0
                for j in (i - period + 1)...i {
                    total += x[j]
                    flags |= Kernels.finiteFlag(x[j])
                    let d = x[j] - anchor
                    s2 += d * d
                }
                let blockStart = i
                let blockEnd = min(i + 128, count)
                while true {
                    let mean = total * inverse
                    let offset = mean - anchor
                    m[i] = mean
                    variances[i &- blockStart] = s2 * inverse - offset * offset
                    i += 1
                    if i >= blockEnd { break }
                    flags |= Kernels.finiteFlag(x[i])
                    let add = x[i] - anchor, drop = x[i - period] - anchor
                    total += x[i] - x[i - period]
                    s2 += add * add - drop * drop
                }
                let means = m.baseAddress! + blockStart, uppers = u.baseAddress! + blockStart
                let lowers = l.baseAddress! + blockStart, vs = variances.baseAddress!
                for j in 0..<(blockEnd &- blockStart) {
                    let variance = vs[j]
                    let band = (variance > 0 ? variance : 0).squareRoot() * deviations
                    let mean = means[j]
                    uppers[j] = mean + band
                    lowers[j] = mean - band
                }
            }
            return flags
        }
    }

    /// True range: TR[i] = max(H[i], C[i−1]) − min(L[i], C[i−1]); first value at bar 1 (TA-Lib `TRANGE`).
    public static func trueRange(high: [Double], low: [Double], close: [Double]) throws(QuantError) -> [Double] {
        try requireBars(high: high, low: low, close: close)
        var out = nans(close.count)
        high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    out.withUnsafeMutableBufferPointer { o in
                        for i in stride(from: 1, to: c.count, by: 1) { o[i] = Kernels.trueRange(h, l, c, i) }
                    }
                }
            }
        }
        return out
    }

    /// Average true range, Wilder smoothing ATR[i] = (ATR[i−1]·(n−1) + TR[i])/n.
    /// `.taLib`: first ATR at bar n = mean(TR[1...n]). `.stockCharts`: TR[0] = H[0]−L[0], first ATR at bar
    /// n−1 = mean(TR[0...n−1]).
    public static func atr(
        high: [Double], low: [Double], close: [Double], period: Int = 14, warmUp: WarmUp = .taLib
    ) throws(QuantError) -> [Double] {
        guard !high.isEmpty else { throw .empty("high") }
        guard low.count == high.count else { throw .lengthMismatch("low", low.count, "high", high.count) }
        guard close.count == high.count else { throw .lengthMismatch("close", close.count, "high", high.count) }
        try QuantError.requirePeriod(period)
        let seedEnd = (warmUp == .taLib ? 1 : 0) + period - 1
        var flags: UInt64 = 0
        let out = high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    Kernels.output(c.count, nanPrefix: seedEnd) { o in flags = atrKernel(h, l, c, period, warmUp: warmUp, into: o) }
                }
            }
        }
        // The kernel flagged every bar it read; it read all of them unless the input ends before the first ATR.
        if close.count <= seedEnd || Kernels.hasNonFinite(flags) { try requireBars(high: high, low: low, close: close) }
        return out
    }

    /// Writes ATR from its seed bar on; Wilder's step is computed as ATR·(n−1)/n + TR/n, four bars at a time
    /// (see the comment in the body).
    /// Returns the `finiteFlag`s of every high, low and close (all are read).
    @discardableResult
    static func atrKernel(_ h: Kernels.In, _ l: Kernels.In, _ c: Kernels.In, _ period: Int, warmUp: WarmUp, into o: Kernels.Out) -> UInt64 {
        let count = c.count
        let first = warmUp == .taLib ? 1 : 0
        let seedEnd = first + period - 1
        guard count > seedEnd else { return 0 }
        var flags: UInt64 = 0
        for i in 0...seedEnd { flags |= Kernels.finiteFlag(h[i]) | Kernels.finiteFlag(l[i]) | Kernels.finiteFlag(c[i]) }
        flags |= Kernels.finiteFlag(c[count - 1])  // the block loop reads closes only as the previous close
        var total = 0.0
        for i in first...seedEnd { total += i == 0 ? h[0] - l[0] : Kernels.trueRange(h, l, c, i) }
        let keep = Double(period - 1) / Double(period), share = 1.0 / Double(period)
        let prev = total / Double(period)
        o[seedEnd] = prev
        // Blocks of 256 bars: TR/n into a small buffer that stays in L1 (a loop without a carried dependency,
        // which vectorises), then the smoothing from that buffer. Inputs and output cross memory once.
        // The smoothing keeps the last two ATRs P = (p[i−2], p[i−1]) in a SIMD2 and advances four bars per step
        // from contiguous two-bar loads: with u = TR/n and k = (n−1)/n,
        //   (p[i], p[i+1])   = k²·P + S₀,            S₀ = k·(u[i−1], u[i]) + (u[i], u[i+1])
        //   (p[i+2], p[i+3]) = k⁴·P + (k²·S₀ + S₁),   S₁ = k·(u[i+1], u[i+2]) + (u[i+2], u[i+3])
        // (the recurrence unrolled and reassociated: last-bit differences only; NaN and ±∞ still carry on).
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 1 + 256) { buffer in
            let u = buffer.baseAddress!  // u[0]: the previous block's last TR/n; u[1 + j]: bar start + j's
            let k1 = SIMD2<Double>(repeating: keep), k2 = k1 * k1, k4 = k2 * k2
            var p2 = 0.0, p1 = prev  // p[i−2], p[i−1]
            var start = seedEnd + 1
            while start < count {
                let end = min(start + 256, count), n = end - start
                for i in start..<end {
                    let high = h[i], low = l[i], prevClose = c[i &- 1]
                    let r1 = high - low, r2 = abs(prevClose - high), r3 = abs(prevClose - low)
                    // A NaN or ±∞ high or low makes r1 or the true range NaN or ±∞, which the smoothing carries to
                    // every later ATR (checked on the last one below); a NaN close would be dropped by the
                    // comparisons, so r2 = |C₋₁ − H| is flagged. (An overflow flags harmlessly: the exact check
                    // then finds nothing.)
                    flags |= Kernels.finiteFlag(r2)
                    let r12 = r2 > r1 ? r2 : r1
                    u[1 &+ i &- start] = (r3 > r12 ? r3 : r12) * share
                }
                var j = 0
                if start == seedEnd + 1 {  // the first bar alone: p[i−2] does not exist before it
                    p2 = p1
                    p1 = keep * p1 + u[1]
                    o[start] = p1
                    j = 1
                }
                var pair = SIMD2(p2, p1)
                let out = UnsafeMutableRawPointer(o.baseAddress! + start), from = UnsafeRawPointer(u)
                let step = MemoryLayout<Double>.stride
                while j &+ 4 <= n {
                    let w0 = from.loadUnaligned(fromByteOffset: j &* step, as: SIMD2<Double>.self)
                    let t0 = from.loadUnaligned(fromByteOffset: (j &+ 1) &* step, as: SIMD2<Double>.self)
                    let w1 = from.loadUnaligned(fromByteOffset: (j &+ 2) &* step, as: SIMD2<Double>.self)
                    let t1 = from.loadUnaligned(fromByteOffset: (j &+ 3) &* step, as: SIMD2<Double>.self)
                    let s0 = k1 * w0 + t0, s1 = k1 * w1 + t1
                    let first = k2 * pair + s0
                    pair = k4 * pair + (k2 * s0 + s1)
                    out.storeBytes(of: first, toByteOffset: j &* step, as: SIMD2<Double>.self)
                    out.storeBytes(of: pair, toByteOffset: (j &+ 2) &* step, as: SIMD2<Double>.self)
                    j &+= 4
                }
                p2 = pair.x
                p1 = pair.y
                while j < n {
                    p2 = p1
                    p1 = keep * p1 + u[1 &+ j]
                    o[start &+ j] = p1
                    j &+= 1
                }
                u[0] = u[n]
                start = end
            }
        }
        flags |= Kernels.finiteFlag(o[count - 1])
        return flags
    }

    /// Keltner channel: middle = EMA_n(close), upper/lower = middle ± multiplier·ATR_m (Chester Keltner as
    /// revised by Linda Raschke; StockCharts uses n = 20, m = 10, multiplier 2). No TA-Lib equivalent. Each line
    /// starts when its inputs are defined; `seed` and `warmUp` select the EMA and ATR starts
    /// (`.firstValue` + `.stockCharts` reproduces the StockCharts/`ta` sheet).
    public static func keltnerChannel(
        high: [Double], low: [Double], close: [Double], period: Int = 20, atrPeriod: Int = 10,
        multiplier: Double = 2, seed: Seed = .sma, warmUp: WarmUp = .taLib
    ) throws(QuantError) -> Bands {
        guard multiplier.isFinite, multiplier >= 0 else {
            throw .invalidParameter("multiplier", multiplier, "must be a finite number ≥ 0")
        }
        let middle = try ema(close, period: period, seed: seed)
        let range = try atr(high: high, low: low, close: close, period: atrPeriod, warmUp: warmUp)
        var upper = nans(close.count), lower = nans(close.count)
        for i in close.indices where !middle[i].isNaN && !range[i].isNaN {
            upper[i] = middle[i] + multiplier * range[i]
            lower[i] = middle[i] - multiplier * range[i]
        }
        return Bands(upper: upper, middle: middle, lower: lower)
    }

    /// Donchian channel: upper = max(H over n bars), lower = min(L over n bars), middle = (upper + lower)/2;
    /// first value at bar n−1. `offset` > 0 shifts the channel right by that many bars (the channel of the
    /// n bars ending `offset` bars ago, as turtle-style breakout rules use it). No TA-Lib equivalent.
    public static func donchianChannel(
        high: [Double], low: [Double], period: Int = 20, offset: Int = 0
    ) throws(QuantError) -> Bands {
        try QuantError.requireSeries(high, "high")
        try QuantError.requireSeries(low, "low", count: high.count, of: "high")
        try QuantError.requirePeriod(period)
        try QuantError.requirePeriod(offset, "offset", minimum: 0)
        let (upper, middle, lower) = high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                Kernels.output3(h.count, nanPrefix: period - 1 + offset) { upper, middle, lower in
                    Kernels.rollingExtremes(h, l, window: period) { i, hi, lo in
                        let j = i + offset
                        guard i >= period - 1, j < h.count else { return }
                        upper[j] = h[hi]
                        lower[j] = l[lo]
                        middle[j] = (h[hi] + l[lo]) / 2
                    }
                }
            }
        }
        return Bands(upper: upper, middle: middle, lower: lower)
    }
}
