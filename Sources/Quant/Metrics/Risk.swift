/// Historical value at risk and expected shortfall at one confidence level, both as (usually negative)
/// per-period returns: a 95% VaR of -0.04 means one period in twenty is expected to lose 4% or more.
public struct TailRisk: Sendable, Hashable, Codable {
    /// Confidence level, e.g. 0.95.
    public let level: Double
    /// Empirical `(1 - level)` quantile of the returns with linear interpolation between order statistics
    /// (numpy `percentile` default, Hyndman–Fan type 7; empyrical `value_at_risk`).
    public let valueAtRisk: Double
    /// Mean of the `k + 1` smallest returns, `k = floor((n - 1) * (1 - level))`: the order statistics at or
    /// below the VaR's lower neighbour (empyrical `conditional_value_at_risk`).
    public let conditionalValueAtRisk: Double
}

extension Metrics {
    /// Historical VaR and CVaR at `level` (default 0.95); see `TailRisk`. O(n) by selection, not sorting.
    ///
    /// - Throws: `QuantError` on invalid returns or a level outside (0, 1).
    public static func tailRisk(_ returns: [Double], level: Double = 0.95) throws(QuantError) -> TailRisk {
        try QuantError.requireReturns(returns)
        try QuantError.requireLevel(level)
        return returns.withUnsafeBufferPointer { tailRisk(of: $0, level: level) }
    }

    /// Historical VaR at `level`; see `TailRisk.valueAtRisk`.
    public static func valueAtRisk(_ returns: [Double], level: Double = 0.95) throws(QuantError) -> Double {
        try tailRisk(returns, level: level).valueAtRisk
    }

    /// Historical CVaR (expected shortfall) at `level`; see `TailRisk.conditionalValueAtRisk`.
    public static func conditionalValueAtRisk(_ returns: [Double], level: Double = 0.95) throws(QuantError) -> Double {
        try tailRisk(returns, level: level).conditionalValueAtRisk
    }

    /// Gaussian VaR `mean(r) + std(r, ddof=1) * Φ⁻¹(1 - level)`, per period, as a return; `nil` below two
    /// returns. Not in empyrical; Φ⁻¹ is AS 241.
    public static func parametricValueAtRisk(_ returns: [Double], level: Double = 0.95) throws(QuantError) -> Double? {
        try QuantError.requireReturns(returns)
        try QuantError.requireLevel(level)
        return parametricVaR(Moments(returns), level: level)
    }

    static func parametricVaR(_ moments: Moments, level: Double) -> Double? {
        moments.sampleStandardDeviation.map { moments.mean + $0 * StandardNormal.quantile(1 - level) }
    }

    /// VaR and CVaR of `values` without reordering them.
    ///
    /// The answer needs only the `k + 2` smallest values. For a long series a strided sample of 4,096 values
    /// gives a threshold that, with overwhelming probability, lies above the `k + 1`-th smallest; one branch-free
    /// pass copies the values at or below it (a few percent of them) and selection runs on that copy only.
    /// Should the threshold be too low (ordered or adversarial data), the whole series is copied instead: the
    /// result is exact either way.
    static func tailRisk(of values: UnsafeBufferPointer<Double>, level: Double) -> TailRisk {
        let n = values.count, needed = Swift.min(n, Int(Double(n - 1) * (1 - level)) + 2)
        let sampleSize = 4_096
        guard n >= 8 * sampleSize else { return copyAndSelect(values, level: level) }
        var sample = (0..<sampleSize).map { values[$0 * (n / sampleSize)] }
        // Sample rank of the target fraction plus five standard errors and a margin of 32 values.
        let fraction = Double(needed) / Double(n)
        let spread = 5 * (fraction * (1 - fraction) / Double(sampleSize)).squareRoot()
        let rank = Swift.min(sampleSize - 1, Int((fraction + spread) * Double(sampleSize)) + 32)
        let threshold = sample.withUnsafeMutableBufferPointer { buffer in
            Selection.select(buffer, rank)
            return buffer[rank]
        }
        let kept = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        defer { kept.deallocate() }
        var count = 0
        for x in values {
            kept[count] = x
            count &+= x <= threshold ? 1 : 0
        }
        guard count >= needed else { return copyAndSelect(values, level: level) }
        return tailRisk(selectingIn: UnsafeMutableBufferPointer(rebasing: kept[0..<count]), level: level, total: n)
    }

    private static func copyAndSelect(_ values: UnsafeBufferPointer<Double>, level: Double) -> TailRisk {
        var scratch = Array(values)
        return scratch.withUnsafeMutableBufferPointer { tailRisk(selectingIn: $0, level: level, total: $0.count) }
    }

    /// VaR and CVaR by partial selection in `buffer`, which holds the smallest values of a series of `total`
    /// values (at least the `k + 2` smallest, or all of them); reorders `buffer`.
    private static func tailRisk(selectingIn buffer: UnsafeMutableBufferPointer<Double>, level: Double, total: Int) -> TailRisk {
        let n = buffer.count
        let position = Double(total - 1) * (1 - level)
        let k = Int(position)
        Selection.select(buffer, k)
        var sum = 0.0
        for i in 0...k { sum += buffer[i] }
        let lower = buffer[k]
        var value = lower
        if k + 1 < n {
            var upper = buffer[k + 1]
            for i in (k + 2)..<n where buffer[i] < upper { upper = buffer[i] }
            value = interpolate(lower, upper, position - Double(k))
        }
        return TailRisk(level: level, valueAtRisk: value, conditionalValueAtRisk: sum / Double(k + 1))
    }

    /// numpy's `_lerp`: `a + (b - a) t`, computed from `b` when `t >= 0.5` so that t = 1 gives `b` exactly.
    private static func interpolate(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let difference = b - a
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t
    }
}
