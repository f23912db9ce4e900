/// Performance and risk metrics over a series of simple (arithmetic) returns, following empyrical's conventions.
///
/// Every function is pure. A return series must be non-empty, finite and hold no return below -1 (a loss of
/// more than everything); anything else throws `QuantError`. A metric that is mathematically undefined for a
/// valid input (Sharpe of a constant series, Calmar without a drawdown) is `nil`, never NaN or an infinity.
/// `periodsPerYear` annualises (252 for daily bars, 52 weekly, 12 monthly); `riskFree` is a constant
/// return *per period* (empyrical's convention), e.g. 0.0001 a day, not an annual rate.
public enum Metrics {
    /// Default annualisation factor: NYSE trading days per year.
    public static let tradingDaysPerYear = 252.0

    /// `max(x, 0)` without a branch (`Swift.max` compiles to one, which returns of random sign mispredict):
    /// `x + |x|` is exactly `2x` or 0, so the result is exact.
    @inline(__always)
    static func positivePart(_ x: Double) -> Double { (x + x.magnitude) * 0.5 }

    /// `min(x, 0)` without a branch, exactly; see `positivePart`.
    @inline(__always)
    static func negativePart(_ x: Double) -> Double { (x - x.magnitude) * 0.5 }
}

extension QuantError {
    /// Validates a return series: non-empty, finite, every value at least -1.
    static func requireReturns(_ values: [Double], _ name: String = "returns") throws(QuantError) {
        guard !values.isEmpty else { throw .empty(name) }
        let bad = values.withUnsafeBufferPointer { buffer -> Int? in
            for i in buffer.indices where !(buffer[i] >= -1 && buffer[i] < .infinity) { return i }
            return nil
        }
        guard let bad else { return }
        if !values[bad].isFinite { throw .nonFinite(name, index: bad) }
        throw .invalidParameter("\(name)[\(bad)]", values[bad], "a simple return cannot be below -1")
    }

    /// Validates a strictly positive, finite annualisation factor.
    static func requirePeriodsPerYear(_ value: Double) throws(QuantError) {
        guard value > 0, value.isFinite else { throw .invalidParameter("periodsPerYear", value, "must be a positive finite number") }
    }

    /// Validates a finite per-period risk-free return above -1.
    static func requireRiskFree(_ value: Double) throws(QuantError) {
        guard value > -1, value.isFinite else { throw .invalidParameter("riskFree", value, "must be a finite return above -1") }
    }

    /// Validates a confidence level strictly between 0 and 1.
    static func requireLevel(_ value: Double) throws(QuantError) {
        guard value > 0, value < 1 else { throw .invalidParameter("level", value, "must lie strictly between 0 and 1") }
    }

    /// Validates a rolling window of at least `minimum` periods.
    static func requireWindow(_ value: Int, minimum: Int) throws(QuantError) {
        guard value >= minimum else { throw .invalidParameter("window", value, "must be at least \(minimum)") }
    }
}
