/// Rolling metrics: element `k` of a result covers `returns[k ..< k + window]` (so it belongs to the date of
/// return `k + window - 1`); a result has `n - window + 1` elements, none when `window > n`. Unlike
/// empyrical, which shrinks an over-long window to the whole series, a window never changes size.
///
/// Windows slide in O(1) each, on sums of deviations from a shift that is re-centred on an exact two-pass
/// recomputation every `window` steps, so rounding does not accumulate along a long series.
extension Metrics {
    /// Annualised volatility of each window (`annualVolatility`); `window >= 2`.
    public static func rollingVolatility(
        _ returns: [Double], window: Int, periodsPerYear: Double = tradingDaysPerYear
    ) throws(QuantError) -> [Double] {
        try QuantError.requireReturns(returns)
        try QuantError.requireWindow(window, minimum: 2)
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        let scale = periodsPerYear.squareRoot()
        return RollingMoments.windows(returns, window) { moments in moments.standardDeviation * scale }
    }

    /// Sharpe ratio of each window (`sharpeRatio`); `nil` for a window of equal returns; `window >= 2`.
    public static func rollingSharpe(
        _ returns: [Double], window: Int, riskFree: Double = 0, periodsPerYear: Double = tradingDaysPerYear
    ) throws(QuantError) -> [Double?] {
        try QuantError.requireReturns(returns)
        try QuantError.requireWindow(window, minimum: 2)
        try QuantError.requireRiskFree(riskFree)
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        let scale = periodsPerYear.squareRoot()
        return RollingMoments.windows(returns, window) { moments -> Double? in
            guard !moments.isConstant else { return nil }
            return (moments.mean - riskFree) / moments.standardDeviation * scale
        }
    }

    /// Beta of each window against the same window of `benchmark` (`beta`); `nil` for a window whose
    /// benchmark is constant or has a variance under 1e-30; `window >= 2`.
    public static func rollingBeta(_ returns: [Double], benchmark: [Double], window: Int) throws(QuantError) -> [Double?] {
        try QuantError.requireReturns(returns)
        try QuantError.requireReturns(benchmark, "benchmark")
        guard benchmark.count == returns.count else { throw .lengthMismatch("benchmark", benchmark.count, "returns", returns.count) }
        try QuantError.requireWindow(window, minimum: 2)
        let n = returns.count
        guard window <= n else { return [] }
        let w = Double(window), inverseW = 1 / w
        var result = [Double?]()
        result.reserveCapacity(n - window + 1)
        var shiftX = 0.0, shiftY = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
        var changes = ChangeCounter(benchmark, window)
        var nextRecentre = 0
        for start in 0...(n - window) {
            if start == nextRecentre {
                nextRecentre += window
                // Exact re-centring: shifts are the window means, sums of deviations are (nearly) zero.
                shiftX = benchmark[start..<(start + window)].reduce(0, +) / w
                shiftY = returns[start..<(start + window)].reduce(0, +) / w
                sx = 0; sy = 0; sxx = 0; sxy = 0
                for i in start..<(start + window) {
                    let dx = benchmark[i] - shiftX, dy = returns[i] - shiftY
                    sx += dx; sy += dy; sxx += dx * dx; sxy += dx * dy
                }
            } else {
                let old = start - 1, new = start + window - 1
                let ox = benchmark[old] - shiftX, oy = returns[old] - shiftY
                let nx = benchmark[new] - shiftX, ny = returns[new] - shiftY
                sx += nx - ox; sy += ny - oy
                sxx += nx * nx - ox * ox
                sxy += nx * ny - ox * oy
            }
            // beta = covariance / variance; both carry the same 1/w, so one division remains (divisions, not
            // the sliding sums, dominated the time).
            let scaledVariance = sxx - sx * sx * inverseW
            let scaledCovariance = sxy - sx * sy * inverseW
            result.append(changes.isConstant(start) || scaledVariance < 1e-30 * w ? nil : scaledCovariance / scaledVariance)
        }
        return result
    }
}

/// Mean and sample standard deviation of each window of one series.
struct RollingMoments {
    let mean: Double
    let standardDeviation: Double
    let isConstant: Bool

    static func windows<T>(_ values: [Double], _ window: Int, _ transform: (RollingMoments) -> T) -> [T] {
        let n = values.count
        guard window <= n else { return [] }
        let w = Double(window), inverseW = 1 / w, inverseDegrees = 1 / (w - 1)
        var result = [T]()
        result.reserveCapacity(n - window + 1)
        var shift = 0.0, s1 = 0.0, s2 = 0.0
        var changes = ChangeCounter(values, window)
        var nextRecentre = 0
        for start in 0...(n - window) {
            if start == nextRecentre {
                nextRecentre += window
                shift = values[start..<(start + window)].reduce(0, +) / w
                s1 = 0; s2 = 0
                for i in start..<(start + window) {
                    let d = values[i] - shift
                    s1 += d; s2 += d * d
                }
            } else {
                let o = values[start - 1] - shift, x = values[start + window - 1] - shift
                s1 += x - o
                s2 += x * x - o * o
            }
            let constant = changes.isConstant(start)
            let variance = Swift.max(0, (s2 - s1 * s1 * inverseW) * inverseDegrees)
            result.append(transform(RollingMoments(
                mean: shift + s1 * inverseW, standardDeviation: constant ? 0 : variance.squareRoot(), isConstant: constant)))
        }
        return result
    }
}

/// Counts, per window, the adjacent pairs that differ: a window is constant exactly when the count is 0.
/// Must be asked about consecutive window starts 0, 1, 2, ...
struct ChangeCounter {
    private let values: [Double]
    private let window: Int
    private var count = 0

    init(_ values: [Double], _ window: Int) {
        self.values = values
        self.window = window
        for i in 1..<Swift.max(1, Swift.min(window, values.count)) where values[i] != values[i - 1] { count += 1 }
    }

    mutating func isConstant(_ start: Int) -> Bool {
        if start > 0 {
            if values[start] != values[start - 1] { count -= 1 }
            let last = start + window - 1
            if values[last] != values[last - 1] { count += 1 }
        }
        return count == 0
    }
}
