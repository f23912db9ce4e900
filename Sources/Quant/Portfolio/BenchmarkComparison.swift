import Foundation

/// A portfolio's time-weighted return set against a benchmark over the same calendar days.
///
/// The benchmark is a price series turned into a ``TimeWeightedReturn`` with no flows (its close on or before
/// each day; days before its first close are zero returns). Both series are compounded into weekday returns
/// (``TimeWeightedReturn/weekdayReturns``) so that they pair day by day; beta and alpha are
/// ``Metrics/benchmarkExposure(_:benchmark:riskFree:periodsPerYear:)`` on those pairs (empyrical conventions),
/// and the tracking error is `std(r − b, ddof=1) · sqrt(252)`.
public struct BenchmarkComparison: Sendable, Hashable {
    /// The benchmark's return over `from...to` (its close at `to` over its close at `from − 1`, minus 1).
    public let benchmarkReturn: Double
    /// The portfolio's TWR minus the benchmark's return.
    public let activeReturn: Double
    public let beta: Double?
    /// Annualised: `(1 + mean daily alpha)^252 − 1`.
    public let alpha: Double?
    /// Annualised standard deviation of the weekday return differences; `nil` below two returns.
    public let trackingError: Double?
    /// The benchmark's index over the same points as the portfolio's TWR index (point 0 = 1 at `from − 1`).
    public let index: [Double]

    /// Compares `portfolio` with the closes of `symbol` in `prices` over the same range; `riskFreeRate` is annual.
    public init(_ portfolio: TimeWeightedReturn, benchmark symbol: String, prices: PriceHistory, riskFreeRate: Double = 0) throws(QuantError) {
        let from = portfolio.from, to = portfolio.to
        let start = from.adding(days: -1)
        var values: [Double] = []
        values.reserveCapacity(start.days(to: to) + 1)
        var day = start
        while day <= to {
            values.append(prices.close(symbol, on: day).map { NSDecimalNumber(decimal: $0).doubleValue } ?? 0)
            day = day.adding(days: 1)
        }
        let series = DailyValuation(start: start, values: values, flows: Array(repeating: 0, count: values.count))
        let benchmark = try TimeWeightedReturn(series, from: from, to: to)
        self.init(portfolio, benchmark: benchmark, riskFreeRate: riskFreeRate)
    }

    /// Compares two time-weighted returns of the same range.
    public init(_ portfolio: TimeWeightedReturn, benchmark: TimeWeightedReturn, riskFreeRate: Double = 0) {
        precondition(portfolio.from == benchmark.from && portfolio.to == benchmark.to, "both returns must cover the same range")
        benchmarkReturn = benchmark.twr
        activeReturn = portfolio.twr - benchmark.twr
        index = benchmark.index
        let r = portfolio.weekdayReturns, b = benchmark.weekdayReturns
        let daily = pow(1 + riskFreeRate, 1 / Metrics.tradingDaysPerYear) - 1
        let exposure = try? Metrics.benchmarkExposure(r, benchmark: b, riskFree: daily, periodsPerYear: Metrics.tradingDaysPerYear)
        beta = exposure?.beta
        alpha = exposure?.alpha
        let differences = zip(r, b).map { $0 - $1 }
        trackingError = (try? Metrics.annualVolatility(differences, periodsPerYear: Metrics.tradingDaysPerYear)) ?? nil
    }
}
