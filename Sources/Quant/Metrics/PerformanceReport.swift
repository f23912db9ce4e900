/// Every performance and risk metric of one return series, computed together in three passes (one for
/// sums, drawdown, downside and omega; one for squared deviations; one partial selection for VaR/CVaR).
///
/// Each field equals the standalone `Metrics` function of the same name with the same parameters; see those
/// for formulas and conventions. Undefined values are `nil`.
public struct PerformanceReport: Sendable, Hashable, Codable {
    /// Number of returns.
    public let count: Int
    public let periodsPerYear: Double
    /// Risk-free return per period, also the Sortino target and the Omega threshold.
    public let riskFree: Double
    public let cumulativeReturn: Double
    public let annualReturn: Double
    public let annualVolatility: Double?
    public let sharpe: Double?
    public let sortino: Double?
    public let downsideRisk: Double
    public let calmar: Double?
    /// Omega with threshold `riskFree` (annual required return 0).
    public let omega: Double?
    public let maxDrawdown: Drawdown
    /// Historical VaR and CVaR at `level`.
    public let tailRisk: TailRisk
    /// Gaussian VaR at the same level.
    public let parametricValueAtRisk: Double?
    /// Beta and alpha, when a benchmark was given.
    public let benchmark: BenchmarkExposure?

    /// Computes the report.
    ///
    /// - Parameters:
    ///   - benchmark: benchmark returns paired by position with `returns` (align by date first, see
    ///     `Metrics.alignByDate`); `nil` for no beta/alpha.
    ///   - level: VaR/CVaR confidence level, default 0.95.
    /// - Throws: `QuantError` on an empty series, a non-finite value or a return below -1, a benchmark of
    ///   another length, or a parameter out of range.
    public init(
        returns: [Double], benchmark: [Double]? = nil, periodsPerYear: Double = Metrics.tradingDaysPerYear,
        riskFree: Double = 0, level: Double = 0.95
    ) throws(QuantError) {
        guard !returns.isEmpty else { throw .empty("returns") }
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        try QuantError.requireRiskFree(riskFree)
        try QuantError.requireLevel(level)
        if let benchmark {
            try QuantError.requireReturns(benchmark, "benchmark")
            guard benchmark.count == returns.count else {
                throw .lengthMismatch("benchmark", benchmark.count, "returns", returns.count)
            }
        }
        let n = returns.count
        let pass = returns.withUnsafeBufferPointer { FirstPass($0, riskFree: riskFree) }
        if pass.firstInvalid != nil { try QuantError.requireReturns(returns) }
        let growth = try Metrics.checkedGrowth(pass.tracker.wealth)
        let sum = pass.sum, downsideSquares = pass.downsideSquares, gains = pass.gains, losses = pass.losses
        let tracker = pass.tracker, lo = pass.minimum, hi = pass.maximum
        let mean = sum / Double(n)
        var squares = 0.0
        returns.withUnsafeBufferPointer { r in
            for x in r {
                let d = x - mean
                squares += d * d
            }
        }
        let moments = Moments(count: n, mean: mean, sumOfSquares: squares, minimum: lo, maximum: hi)

        self.count = n
        self.periodsPerYear = periodsPerYear
        self.riskFree = riskFree
        cumulativeReturn = growth - 1
        annualReturn = Metrics.annualise(growth: growth, count: n, periodsPerYear: periodsPerYear)
        annualVolatility = moments.sampleStandardDeviation.map { $0 * periodsPerYear.squareRoot() }
        sharpe = Metrics.sharpe(moments, riskFree: riskFree, periodsPerYear: periodsPerYear)
        downsideRisk = Metrics.downside(squares: downsideSquares, count: n, periodsPerYear: periodsPerYear)
        sortino = Metrics.sortino(mean: mean, count: n, riskFree: riskFree, downsideRisk: downsideRisk, periodsPerYear: periodsPerYear)
        maxDrawdown = tracker.result
        calmar = Metrics.calmar(annualReturn: annualReturn, maxDrawdown: maxDrawdown.depth)
        omega = Metrics.omega(gains: gains, losses: losses, count: n)
        tailRisk = returns.withUnsafeBufferPointer { Metrics.tailRisk(of: $0, level: level) }
        parametricValueAtRisk = Metrics.parametricVaR(moments, level: level)
        if let benchmark {
            let benchmarkMean = benchmark.reduce(0, +) / Double(n)
            self.benchmark = Metrics.exposure(
                returns, benchmark, returnsMean: mean, benchmarkMean: benchmarkMean, riskFree: riskFree, periodsPerYear: periodsPerYear)
        } else {
            self.benchmark = nil
        }
    }
}

/// The first pass of `PerformanceReport`: validation, sum and range, wealth and drawdown, downside and Omega
/// sums. The accumulators are locals of one function so that they stay in registers.
private struct FirstPass {
    let sum: Double, minimum: Double, maximum: Double
    let downsideSquares: Double, gains: Double, losses: Double
    let tracker: DrawdownTracker
    /// Index of the first NaN, infinity or return below -1, where the pass stopped.
    let firstInvalid: Int?

    init(_ r: UnsafeBufferPointer<Double>, riskFree: Double) {
        var sum = 0.0, lo = Double.infinity, hi = -Double.infinity
        var downsideSquares = 0.0, gains = 0.0, losses = 0.0
        var tracker = DrawdownTracker()
        var firstInvalid: Int?
        for i in r.indices {
            let x = r[i]
            guard x >= -1, x < .infinity else {
                firstInvalid = i
                break
            }
            sum += x
            lo = Swift.min(lo, x)
            hi = Swift.max(hi, x)
            tracker.add(x)
            // Branch-free: the sign of a return is unpredictable, a mispredicted branch costs more than the sums.
            let excess = x - riskFree
            let shortfall = Metrics.negativePart(excess)
            downsideSquares += shortfall * shortfall
            losses -= shortfall
            gains += Metrics.positivePart(excess)
        }
        self.sum = sum
        minimum = lo
        maximum = hi
        self.downsideSquares = downsideSquares
        self.gains = gains
        self.losses = losses
        self.tracker = tracker
        self.firstInvalid = firstInvalid
    }
}
