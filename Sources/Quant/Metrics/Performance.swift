import Foundation

extension Metrics {
    /// Annualised volatility `std(r, ddof=1) * sqrt(periodsPerYear)` (empyrical `annual_volatility`);
    /// `nil` below two returns.
    public static func annualVolatility(_ returns: [Double], periodsPerYear: Double = tradingDaysPerYear) throws(QuantError) -> Double? {
        try QuantError.requireReturns(returns)
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        return Moments(returns).sampleStandardDeviation.map { $0 * periodsPerYear.squareRoot() }
    }

    /// Sharpe ratio `mean(r - rf) / std(r - rf, ddof=1) * sqrt(periodsPerYear)` (empyrical `sharpe_ratio`);
    /// `nil` below two returns or when every return is the same (zero volatility).
    public static func sharpeRatio(
        _ returns: [Double], riskFree: Double = 0, periodsPerYear: Double = tradingDaysPerYear
    ) throws(QuantError) -> Double? {
        try QuantError.requireReturns(returns)
        try QuantError.requireRiskFree(riskFree)
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        return sharpe(Moments(returns), riskFree: riskFree, periodsPerYear: periodsPerYear)
    }

    static func sharpe(_ moments: Moments, riskFree: Double, periodsPerYear: Double) -> Double? {
        guard let std = moments.sampleStandardDeviation, std > 0 else { return nil }
        return (moments.mean - riskFree) / std * periodsPerYear.squareRoot()
    }

    /// Annualised downside deviation `sqrt(mean(min(r - required, 0)^2)) * sqrt(periodsPerYear)`, the mean
    /// taken over *all* periods, not only the losing ones (empyrical `downside_risk`).
    public static func downsideRisk(
        _ returns: [Double], requiredReturn: Double = 0, periodsPerYear: Double = tradingDaysPerYear
    ) throws(QuantError) -> Double {
        try QuantError.requireReturns(returns)
        try QuantError.requireRiskFree(requiredReturn)
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        var squares = 0.0
        for r in returns {
            let shortfall = negativePart(r - requiredReturn)
            squares += shortfall * shortfall
        }
        return downside(squares: squares, count: returns.count, periodsPerYear: periodsPerYear)
    }

    static func downside(squares: Double, count: Int, periodsPerYear: Double) -> Double {
        (squares / Double(count)).squareRoot() * periodsPerYear.squareRoot()
    }

    /// Sortino ratio `mean(r - rf) * periodsPerYear / downsideRisk(r, rf)` (empyrical `sortino_ratio` with
    /// `required_return = rf`); `nil` below two returns or when no return falls below `rf`.
    public static func sortinoRatio(
        _ returns: [Double], riskFree: Double = 0, periodsPerYear: Double = tradingDaysPerYear
    ) throws(QuantError) -> Double? {
        let risk = try downsideRisk(returns, requiredReturn: riskFree, periodsPerYear: periodsPerYear)
        return sortino(mean: Moments(returns).mean, count: returns.count, riskFree: riskFree, downsideRisk: risk, periodsPerYear: periodsPerYear)
    }

    static func sortino(mean: Double, count: Int, riskFree: Double, downsideRisk: Double, periodsPerYear: Double) -> Double? {
        guard count >= 2, downsideRisk > 0 else { return nil }
        return (mean - riskFree) * periodsPerYear / downsideRisk
    }

    /// Calmar ratio `annualReturn / |maxDrawdown|` (empyrical `calmar_ratio`); `nil` when the series never
    /// falls below a previous peak.
    public static func calmarRatio(_ returns: [Double], periodsPerYear: Double = tradingDaysPerYear) throws(QuantError) -> Double? {
        let annual = try annualReturn(returns, periodsPerYear: periodsPerYear)
        return calmar(annualReturn: annual, maxDrawdown: try maxDrawdown(returns).depth)
    }

    static func calmar(annualReturn: Double, maxDrawdown: Double) -> Double? {
        guard maxDrawdown < 0 else { return nil }
        return annualReturn / -maxDrawdown
    }

    /// Omega ratio: with `x = r - rf - threshold`, `sum(max(x, 0)) / sum(max(-x, 0))`, where the per-period
    /// threshold is `(1 + requiredReturn) ^ (1 / periodsPerYear) - 1` from an *annual* required return
    /// (empyrical `omega_ratio`). `nil` below two returns or when no period falls below the threshold.
    ///
    /// - Throws: `QuantError` also when `requiredReturn <= -1`.
    public static func omegaRatio(
        _ returns: [Double], riskFree: Double = 0, requiredReturn: Double = 0, periodsPerYear: Double = tradingDaysPerYear
    ) throws(QuantError) -> Double? {
        try QuantError.requireReturns(returns)
        try QuantError.requireRiskFree(riskFree)
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        guard requiredReturn > -1, requiredReturn.isFinite else {
            throw .invalidParameter("requiredReturn", requiredReturn, "must be a finite annual return above -1")
        }
        let threshold = riskFree + omegaThreshold(requiredReturn: requiredReturn, periodsPerYear: periodsPerYear)
        var gains = 0.0, losses = 0.0
        for r in returns {
            // Branch-free: the sign of a return is unpredictable, a mispredicted branch costs more than both sums.
            let x = r - threshold
            gains += positivePart(x)
            losses -= negativePart(x)
        }
        return omega(gains: gains, losses: losses, count: returns.count)
    }

    static func omegaThreshold(requiredReturn: Double, periodsPerYear: Double) -> Double {
        periodsPerYear == 1 ? requiredReturn : pow(1 + requiredReturn, 1 / periodsPerYear) - 1
    }

    static func omega(gains: Double, losses: Double, count: Int) -> Double? {
        guard count >= 2, losses > 0 else { return nil }
        return gains / losses
    }
}
