/// Wilder's directional movement system.
public struct DirectionalMovement: Sendable, Hashable {
    /// +DI = 100·(+DM_n)/TR_n, from bar n.
    public let plusDI: [Double]
    /// −DI = 100·(−DM_n)/TR_n, from bar n.
    public let minusDI: [Double]
    /// ADX = Wilder average of DX = 100·|+DI − −DI|/(+DI + −DI), from bar 2n−1.
    public let adx: [Double]
}

/// Aroon up/down and the oscillator up − down.
public struct Aroon: Sendable, Hashable {
    public let up: [Double]
    public let down: [Double]
    public let oscillator: [Double]
}

extension Indicators {
    /// +DI, −DI and ADX (Wilder). +DM = H−H[i−1] when it exceeds L[i−1]−L and is > 0 (−DM symmetric), TR the
    /// true range; +DM_n, −DM_n, TR_n Wilder-smoothed as S[i] = S[i−1] − S[i−1]/n + x[i]; DIs 0 when TR_n < 1e-8.
    /// ADX at bar 2n−1 = mean of DX over bars n...2n−1, then ADX[i] = (ADX[i−1]·(n−1) + DX[i])/n
    /// (bars where DX is undefined, both DI 0, are skipped as in TA-Lib).
    /// `.taLib`: the first sums hold the n−1 values of bars 1...n−1 and take one Wilder step at bar n.
    /// `.stockCharts`: the first sums (bar n) are the plain sums of bars 1...n. Same start bars either way.
    public static func directionalMovement(
        high: [Double], low: [Double], close: [Double], period: Int = 14, warmUp: WarmUp = .taLib
    ) throws(QuantError) -> DirectionalMovement {
        try requireBars(high: high, low: low, close: close)
        try QuantError.requirePeriod(period)
        let n = Double(period), keep = Double(period - 1) / Double(period), share = 1.0 / Double(period)
        let lastPlainSum = warmUp == .taLib ? period - 1 : period
        let (plusDI, minusDI, adx) = high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    Kernels.output3(c.count, nanPrefix: period) { plusDI, minusDI, adx in
                        for i in period..<min(2 * period - 1, c.count) { adx[i] = .nan }
                        // Wilder's steps as S·(n−1)/n + x (and ADX·(n−1)/n + DX/n): one multiply and one add on each
                        // carried chain; equal to TA-Lib's S − S/n + x up to the last bits.
                        var pDM = 0.0, mDM = 0.0, tr = 0.0, sumDX = 0.0, prevADX = 0.0
                        for today in stride(from: 1, to: c.count, by: 1) {
                            let diffP = h[today] - h[today - 1], diffM = l[today - 1] - l[today]
                            let plus = diffP > 0 && diffP > diffM ? diffP : 0
                            let minus = diffM > 0 && diffP < diffM ? diffM : 0
                            let range = Kernels.trueRange(h, l, c, today)
                            if today <= lastPlainSum {
                                pDM += plus
                                mDM += minus
                                tr += range
                            } else {
                                pDM = pDM * keep + plus
                                mDM = mDM * keep + minus
                                tr = tr * keep + range
                            }
                            guard today >= period else { continue }
                            var dx = -1.0  // undefined
                            if isZero(tr) {
                                plusDI[today] = 0
                                minusDI[today] = 0
                            } else {
                                let p = 100.0 * (pDM / tr), m = 100.0 * (mDM / tr)
                                plusDI[today] = p
                                minusDI[today] = m
                                if !isZero(p + m) { dx = 100.0 * (abs(m - p) / (m + p)) }
                            }
                            if today < 2 * period - 1 {
                                sumDX += max(dx, 0)
                            } else if today == 2 * period - 1 {
                                prevADX = (sumDX + max(dx, 0)) / n
                                adx[today] = prevADX
                            } else {
                                if dx >= 0 { prevADX = prevADX * keep + dx * share }
                                adx[today] = prevADX
                            }
                        }
                    }
                }
            }
        }
        return DirectionalMovement(plusDI: plusDI, minusDI: minusDI, adx: adx)
    }

    /// Aroon (Chande) over the n+1 bars i−n...i: up = 100·(n − bars since the highest high)/n,
    /// down = 100·(n − bars since the lowest low)/n, ties going to the most recent bar; oscillator = up − down;
    /// first value at bar n (TA-Lib `AROON`, `AROONOSC`).
    public static func aroon(high: [Double], low: [Double], period: Int = 14) throws(QuantError) -> Aroon {
        try QuantError.requireSeries(high, "high")
        try QuantError.requireSeries(low, "low", count: high.count, of: "high")
        try QuantError.requirePeriod(period)
        let factor = 100.0 / Double(period)
        let (up, down, oscillator) = high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                Kernels.output3(h.count, nanPrefix: period) { up, down, oscillator in
                    Kernels.rollingExtremes(h, l, window: period + 1) { i, hi, lo in
                        guard i >= period else { return }
                        up[i] = factor * Double(period - (i - hi))
                        down[i] = factor * Double(period - (i - lo))
                        oscillator[i] = factor * Double(hi - lo)
                    }
                }
            }
        }
        return Aroon(up: up, down: down, oscillator: oscillator)
    }

    /// Parabolic SAR (Wilder), TA-Lib `SAR`: SAR += AF·(EP − SAR), AF starting at `acceleration`, growing by it
    /// at each new extreme up to `maximum`; the SAR never enters the last two bars' range and flips to the
    /// extreme point when price crosses it. The first trend is short if bar 1's −DM > 0, else long; first
    /// value at bar 1.
    public static func parabolicSAR(
        high: [Double], low: [Double], acceleration: Double = 0.02, maximum: Double = 0.2
    ) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(high, "high")
        try QuantError.requireSeries(low, "low", count: high.count, of: "high")
        guard acceleration.isFinite, acceleration > 0 else {
            throw .invalidParameter("acceleration", acceleration, "must be a finite number > 0")
        }
        guard maximum.isFinite, maximum > 0 else { throw .invalidParameter("maximum", maximum, "must be a finite number > 0") }
        let count = high.count
        var out = nans(count)
        guard count > 1 else { return out }
        let step = min(acceleration, maximum)
        var af = step
        let diffP = high[1] - high[0], diffM = low[0] - low[1]
        var isLong = !(diffM > 0 && diffP < diffM)
        var ep: Double, sar: Double
        if isLong {
            ep = high[1]
            sar = low[0]
        } else {
            ep = low[1]
            sar = high[0]
        }
        var newLow = low[1], newHigh = high[1]
        for today in 1..<count {
            let prevLow = newLow, prevHigh = newHigh
            newLow = low[today]
            newHigh = high[today]
            if isLong {
                if newLow <= sar {
                    isLong = false
                    sar = max(ep, prevHigh, newHigh)
                    out[today] = sar
                    af = step
                    ep = newLow
                    sar = max(sar + af * (ep - sar), prevHigh, newHigh)
                } else {
                    out[today] = sar
                    if newHigh > ep {
                        ep = newHigh
                        af = min(af + step, maximum)
                    }
                    sar = min(sar + af * (ep - sar), prevLow, newLow)
                }
            } else {
                if newHigh >= sar {
                    isLong = true
                    sar = min(ep, prevLow, newLow)
                    out[today] = sar
                    af = step
                    ep = newHigh
                    sar = min(sar + af * (ep - sar), prevLow, newLow)
                } else {
                    out[today] = sar
                    if newLow < ep {
                        ep = newLow
                        af = min(af + step, maximum)
                    }
                    sar = max(sar + af * (ep - sar), prevHigh, newHigh)
                }
            }
        }
        return out
    }
}
