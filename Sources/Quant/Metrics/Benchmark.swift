import Foundation

/// Sensitivity to a benchmark and the annualised return left unexplained by it.
public struct BenchmarkExposure: Sendable, Hashable, Codable {
    /// `cov(r, b) / var(b)`, both with the same divisor (empyrical `beta`); `nil` below two returns or when
    /// the benchmark's variance is under 1e-30 (a constant benchmark).
    public let beta: Double?
    /// `(1 + mean((r - rf) - beta * (b - rf))) ^ periodsPerYear - 1` (empyrical `alpha`); `nil` with `beta`.
    public let alpha: Double?

    public init(beta: Double?, alpha: Double?) {
        self.beta = beta
        self.alpha = alpha
    }
}

/// Two price series restricted to the dates present in both, in the order of the first.
public struct AlignedPrices: Sendable, Hashable {
    public let dates: [String]
    public let prices: [Double]
    public let benchmark: [Double]

    public init(dates: [String], prices: [Double], benchmark: [Double]) {
        self.dates = dates
        self.prices = prices
        self.benchmark = benchmark
    }
}

extension Metrics {
    /// Beta and annualised alpha of `returns` against `benchmark`, paired by position; see `BenchmarkExposure`.
    ///
    /// - Throws: `QuantError` on invalid series or different lengths.
    public static func benchmarkExposure(
        _ returns: [Double], benchmark: [Double], riskFree: Double = 0, periodsPerYear: Double = tradingDaysPerYear
    ) throws(QuantError) -> BenchmarkExposure {
        try QuantError.requireReturns(returns)
        try QuantError.requireReturns(benchmark, "benchmark")
        guard benchmark.count == returns.count else {
            throw .lengthMismatch("benchmark", benchmark.count, "returns", returns.count)
        }
        try QuantError.requireRiskFree(riskFree)
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        let mean = returns.withUnsafeBufferPointer { r in
            benchmark.withUnsafeBufferPointer { b in (r.reduce(0, +) / Double(r.count), b.reduce(0, +) / Double(b.count)) }
        }
        return exposure(returns, benchmark, returnsMean: mean.0, benchmarkMean: mean.1, riskFree: riskFree, periodsPerYear: periodsPerYear)
    }

    /// Beta of `returns` against `benchmark` (paired by position); see `BenchmarkExposure.beta`.
    public static func beta(_ returns: [Double], benchmark: [Double]) throws(QuantError) -> Double? {
        try benchmarkExposure(returns, benchmark: benchmark).beta
    }

    /// Annualised alpha of `returns` against `benchmark`; see `BenchmarkExposure.alpha`.
    public static func alpha(
        _ returns: [Double], benchmark: [Double], riskFree: Double = 0, periodsPerYear: Double = tradingDaysPerYear
    ) throws(QuantError) -> Double? {
        try benchmarkExposure(returns, benchmark: benchmark, riskFree: riskFree, periodsPerYear: periodsPerYear).alpha
    }

    /// One pass of centred products once both means are known.
    static func exposure(
        _ returns: [Double], _ benchmark: [Double], returnsMean: Double, benchmarkMean: Double, riskFree: Double, periodsPerYear: Double
    ) -> BenchmarkExposure {
        let n = returns.count
        guard n >= 2 else { return BenchmarkExposure(beta: nil, alpha: nil) }
        var covariance = 0.0, variance = 0.0
        returns.withUnsafeBufferPointer { r in
            benchmark.withUnsafeBufferPointer { b in
                for i in 0..<n {
                    let residual = b[i] - benchmarkMean
                    covariance += residual * r[i]
                    variance += residual * residual
                }
            }
        }
        covariance /= Double(n)
        variance /= Double(n)
        guard variance >= 1e-30 else { return BenchmarkExposure(beta: nil, alpha: nil) }
        let beta = covariance / variance
        // mean((r - rf) - beta (b - rf)) by linearity of the mean.
        let dailyAlpha = (returnsMean - riskFree) - beta * (benchmarkMean - riskFree)
        return BenchmarkExposure(beta: beta, alpha: pow(1 + dailyAlpha, periodsPerYear) - 1)
    }

    /// Keeps the dates present in both series (an inner join on the exact date text), in the order of the first.
    /// Returns between consecutive common dates then span the same interval in both series.
    ///
    /// - Throws: `QuantError` when a series' dates and prices differ in length or a date repeats.
    public static func alignByDate(
        dates: [String], prices: [Double], benchmarkDates: [String], benchmarkPrices: [Double]
    ) throws(QuantError) -> AlignedPrices {
        guard prices.count == dates.count else { throw .lengthMismatch("prices", prices.count, "dates", dates.count) }
        guard benchmarkPrices.count == benchmarkDates.count else {
            throw .lengthMismatch("benchmark prices", benchmarkPrices.count, "benchmark dates", benchmarkDates.count)
        }
        var benchmarkIndex: [String: Int] = [:]
        benchmarkIndex.reserveCapacity(benchmarkDates.count)
        for (i, date) in benchmarkDates.enumerated() where benchmarkIndex.updateValue(i, forKey: date) != nil {
            throw .invalidParameter("benchmark date", date, "appears more than once")
        }
        var seen: Set<String> = []
        var common: [String] = [], first: [Double] = [], second: [Double] = []
        for (i, date) in dates.enumerated() {
            guard seen.insert(date).inserted else { throw .invalidParameter("date", date, "appears more than once") }
            if let j = benchmarkIndex[date] {
                common.append(date)
                first.append(prices[i])
                second.append(benchmarkPrices[j])
            }
        }
        return AlignedPrices(dates: common, prices: first, benchmark: second)
    }
}
