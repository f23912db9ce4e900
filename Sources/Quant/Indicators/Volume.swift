extension Indicators {
    /// On-balance volume (Granville): OBV[0] = V[0]; OBV[i] = OBV[i−1] ± V[i] as C[i] rises/falls, unchanged
    /// when flat (TA-Lib: starts at the first volume, not 0). Defined from bar 0.
    public static func obv(close: [Double], volume: [Double]) throws(QuantError) -> [Double] {
        try QuantError.requireSeries(close, "close")
        try QuantError.requireSeries(volume, "volume", count: close.count, of: "close")
        return close.withUnsafeBufferPointer { c in
            volume.withUnsafeBufferPointer { v in
                Kernels.output(c.count, nanPrefix: 0) { o in
                    var total = v[0], prev = c[0]
                    o[0] = total
                    for i in stride(from: 1, to: c.count, by: 1) {
                        let x = c[i]
                        // ±1 or 0 times the volume: branch-free (closes go up and down at random), and exact.
                        let direction: Double = (x > prev ? 1 : 0) - (x < prev ? 1 : 0)
                        total += direction * v[i]
                        o[i] = total
                        prev = x
                    }
                }
            }
        }
    }

    /// Accumulation/distribution line (Chaikin): AD[i] = AD[i−1] + ((C−L) − (H−C))/(H−L)·V, the bar adding 0
    /// when H = L; AD[0] is bar 0's own term. Defined from bar 0 (TA-Lib `AD`).
    public static func accumulationDistribution(
        high: [Double], low: [Double], close: [Double], volume: [Double]
    ) throws(QuantError) -> [Double] {
        try requireBars(high: high, low: low, close: close, volume: volume)
        return high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    volume.withUnsafeBufferPointer { v in
                        Kernels.output(c.count, nanPrefix: 0) { o in
                            var total = 0.0
                            for i in 0..<c.count {
                                let range = h[i] - l[i]
                                // Computed unconditionally and selected: no branch on the data.
                                let term = (((c[i] - l[i]) - (h[i] - c[i])) / range) * v[i]
                                total += range > 0 ? term : 0
                                o[i] = total
                            }
                        }
                    }
                }
            }
        }
    }

    /// Money flow index: TP = (H+L+C)/3, flow = TP·V counted positive when TP rises, negative when it falls;
    /// MFI = 100·ΣPos/(ΣPos + ΣNeg) over the last n bars; first value at bar n; 0 when ΣPos + ΣNeg < 1, and a
    /// TP change below 1e-8 in size counts as none (both as TA-Lib 0.8).
    public static func mfi(
        high: [Double], low: [Double], close: [Double], volume: [Double], period: Int = 14
    ) throws(QuantError) -> [Double] {
        try requireBars(high: high, low: low, close: close, volume: volume)
        try QuantError.requirePeriod(period)
        let count = close.count
        return high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    volume.withUnsafeBufferPointer { v in
                        Kernels.output(count, nanPrefix: period) { o in
                            mfiKernel(h, l, c, v, period, into: o)
                        }
                    }
                }
            }
        }
    }

    /// MFI with the last `period` flows in ring buffers; TA-Lib's order of additions and subtractions.
    private static func mfiKernel(
        _ h: Kernels.In, _ l: Kernels.In, _ c: Kernels.In, _ v: Kernels.In, _ period: Int, into o: Kernels.Out
    ) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * period) { ring in
            ring.initialize(repeating: 0)
            let pos = ring.baseAddress!, neg = ring.baseAddress! + period
            var prevTP = (h[0] + l[0] + c[0]) / 3.0
            var posSum = 0.0, negSum = 0.0
            var slot = 0
            for i in 1..<c.count {
                let tp = (h[i] + l[i] + c[i]) / 3.0
                let change = tp - prevTP
                prevTP = tp
                let flow = tp * v[i]
                // TA-Lib counts a typical-price change below 1e-8 (rounding noise) as no change.
                let moved = !isZero(change)
                let p = moved && change > 0 ? flow : 0, m = moved && change < 0 ? flow : 0
                posSum += p
                negSum += m
                posSum -= pos[slot]  // the flow of bar i − period (0 during the warm-up)
                negSum -= neg[slot]
                pos[slot] = p
                neg[slot] = m
                slot += 1
                if slot == period { slot = 0 }
                if i >= period {
                    let total = posSum + negSum
                    // Clamped: after many add/subtract steps a sum that should be 0 can be a rounding residue.
                    o[i] = total < 1.0 ? 0 : min(max(100.0 * (posSum / total), 0), 100)
                }
            }
        }
    }

    /// Volume-weighted average price of the typical price TP = (H+L+C)/3: ΣTP·V/ΣV. With `period` nil it is
    /// cumulative from bar 0 (anchored VWAP, defined from bar 0); with `period` n it is the rolling n-bar VWAP
    /// (first value at bar n−1). A window whose volume sums to 0 gives the plain mean of its TPs. No TA-Lib
    /// equivalent.
    public static func vwap(
        high: [Double], low: [Double], close: [Double], volume: [Double], period: Int? = nil
    ) throws(QuantError) -> [Double] {
        try requireBars(high: high, low: low, close: close, volume: volume)
        if let period { try QuantError.requirePeriod(period) }
        let count = close.count
        var out = nans(count)
        var pv = 0.0, v = 0.0, tpSum = 0.0
        for i in 0..<count {
            let tp = (high[i] + low[i] + close[i]) / 3.0
            pv += tp * volume[i]
            v += volume[i]
            tpSum += tp
            var size = i + 1
            if let period {
                size = min(period, i + 1)
                if i >= period {
                    let j = i - period
                    let old = (high[j] + low[j] + close[j]) / 3.0
                    pv -= old * volume[j]
                    v -= volume[j]
                    tpSum -= old
                }
                guard i >= period - 1 else { continue }
            }
            out[i] = v > 0 ? pv / v : tpSum / Double(size)
        }
        return out
    }
}
