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
    /// (`Kernels.recurrence`, or `smoothBlock` on full 256-bar blocks).
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
        // which vectorises), then the smoothing from that buffer (`smoothBlock` for full blocks). Inputs and
        // output cross memory once.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 256 + 128) { buffer in
            let block = buffer.baseAddress!, powers = block + 256
            var power = 1.0
            for k in 0..<128 {
                power *= keep
                powers[k] = power
            }
            var atr = prev
            var start = seedEnd + 1
            while start < count {
                let end = min(start + 256, count)
                for i in start..<end {
                    let high = h[i], low = l[i], prevClose = c[i &- 1]
                    let r1 = high - low, r2 = abs(prevClose - high), r3 = abs(prevClose - low)
                    // A NaN or ±∞ high or low makes r1 or the true range NaN or ±∞, which the smoothing carries to
                    // every later ATR (checked on the last one below); a NaN close would be dropped by the
                    // comparisons, so r2 = |C₋₁ − H| is flagged. (An overflow flags harmlessly: the exact check
                    // then finds nothing.)
                    flags |= Kernels.finiteFlag(r2)
                    let r12 = r2 > r1 ? r2 : r1
                    block[i &- start] = (r3 > r12 ? r3 : r12) * share
                }
                if end - start == 256 {
                    atr = smoothBlock(block, keep: keep, powers: powers, from: atr, into: o.baseAddress! + start)
                } else {
                    let offset = start
                    atr = Kernels.recurrence(start: atr, a: keep, start..<end, input: { block[$0 &- offset] }, emit: { o[$0] = $1 })
                }
                start = end
            }
        }
        flags |= Kernels.finiteFlag(o[count - 1])
        return flags
    }

    /// Wilder's smoothing of one full 256-bar block: out[k] = keep·out[k−1] + u[k], out[−1] = `atr`; returns out[255].
    /// The two halves run side by side in the lanes of a SIMD2, four bars per step as in `Kernels.recurrence`,
    /// the second half starting from 0; then keepᵏ⁺¹·out[127] (`powers[k]` = keepᵏ⁺¹) is added to its k-th value,
    /// which is exact algebra (linearity) and changes results only in the last bits. NaN and ±∞ still carry
    /// forward (through the lane, or through out[127]·powers). Overwrites u[128..<256].
    @inline(__always)
    private static func smoothBlock(
        _ u: UnsafeMutablePointer<Double>, keep: Double, powers: UnsafeMutablePointer<Double>, from atr: Double,
        into out: UnsafeMutablePointer<Double>
    ) -> Double {
        let a = SIMD2<Double>(repeating: keep), a2 = a * a, a3 = a2 * a, a4 = a2 * a2
        var state = SIMD2<Double>(atr, 0)
        var j = 0
        while j < 128 {
            let u0 = SIMD2(u[j], u[j &+ 128]), u1 = SIMD2(u[j &+ 1], u[j &+ 129])
            let u2 = SIMD2(u[j &+ 2], u[j &+ 130]), u3 = SIMD2(u[j &+ 3], u[j &+ 131])
            let s1 = a * u0 + u1
            let s2 = a2 * u0 + (a * u1 + u2)
            let s3 = (a3 * u0 + a2 * u1) + (a * u2 + u3)
            let r0 = a * state + u0, r1 = a2 * state + s1, r2 = a3 * state + s2
            state = a4 * state + s3
            out[j] = r0.x
            out[j &+ 1] = r1.x
            out[j &+ 2] = r2.x
            out[j &+ 3] = state.x
            u[j &+ 128] = r0.y
            u[j &+ 129] = r1.y
            u[j &+ 130] = r2.y
            u[j &+ 131] = state.y
            j &+= 4
        }
        let carry = state.x
        for k in 0..<128 { out[k &+ 128] = u[k &+ 128] + powers[k] * carry }
        return out[255]
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
