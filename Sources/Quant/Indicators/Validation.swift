extension Indicators {
    /// Validates high/low/close (and optionally volume) columns: non-empty, same length, finite.
    static func requireBars(
        high: [Double], low: [Double], close: [Double], volume: [Double]? = nil
    ) throws(QuantError) {
        try QuantError.requireSeries(high, "high")
        try QuantError.requireSeries(low, "low", count: high.count, of: "high")
        try QuantError.requireSeries(close, "close", count: high.count, of: "high")
        if let volume { try QuantError.requireSeries(volume, "volume", count: high.count, of: "high") }
    }

    /// A NaN-filled output of length `count`.
    @inline(__always)
    static func nans(_ count: Int) -> [Double] { [Double](repeating: .nan, count: count) }

    /// TA-Lib's `TA_IS_ZERO`: |v| < 1e-8. TA-Lib returns 0 instead of dividing by such a value.
    @inline(__always)
    static func isZero(_ v: Double) -> Bool { -0.00000001 < v && v < 0.00000001 }
}
