import Foundation

extension Metrics {
    /// Simple close-to-close returns `p[i] / p[i-1] - 1`; one fewer value than `prices`.
    ///
    /// - Throws: `QuantError` when fewer than two prices are given, a price is not finite or not positive.
    public static func simpleReturns(prices: [Double]) throws(QuantError) -> [Double] {
        guard prices.count >= 2 else {
            throw prices.isEmpty ? .empty("prices") : .invalidParameter("prices.count", prices.count, "need at least 2 prices for a return")
        }
        try QuantError.requireFinite(prices, "prices")
        if let bad = prices.firstIndex(where: { $0 <= 0 }) {
            throw .invalidParameter("prices[\(bad)]", prices[bad], "a price must be positive")
        }
        return (1..<prices.count).map { prices[$0] / prices[$0 - 1] - 1 }
    }

    /// Total compounded return `prod(1 + r) - 1` (empyrical `cum_returns_final`).
    ///
    /// - Throws: `QuantError` on invalid returns, or when the compounded growth overflows `Double`.
    public static func cumulativeReturn(_ returns: [Double]) throws(QuantError) -> Double {
        try QuantError.requireReturns(returns)
        return try growth(returns) - 1
    }

    /// Compound annual growth rate `prod(1 + r) ^ (periodsPerYear / n) - 1` over `n / periodsPerYear` years
    /// (empyrical `annual_return`).
    public static func annualReturn(_ returns: [Double], periodsPerYear: Double = tradingDaysPerYear) throws(QuantError) -> Double {
        try QuantError.requireReturns(returns)
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        return annualise(growth: try growth(returns), count: returns.count, periodsPerYear: periodsPerYear)
    }

    /// `prod(1 + r)`, refusing a product beyond the range of `Double`.
    static func growth(_ returns: [Double]) throws(QuantError) -> Double {
        var product = 1.0
        for r in returns { product *= 1 + r }
        return try checkedGrowth(product)
    }

    static func checkedGrowth(_ product: Double) throws(QuantError) -> Double {
        guard product.isFinite else {
            throw .invalidParameter("returns", "growth \(product)", "the compounded growth exceeds the range of Double")
        }
        return product
    }

    /// `growth ^ (1 / years) - 1` with `years = count / periodsPerYear`, written as empyrical computes it.
    static func annualise(growth: Double, count: Int, periodsPerYear: Double) -> Double {
        let years = Double(count) / periodsPerYear
        return pow(growth, 1 / years) - 1
    }
}
