/// Daily (or any-interval) bars as parallel columns, validated once so indicators can trust them.
///
/// Every column has `count` elements; prices and volume are finite. No ordering of High/Low against
/// Open/Close is enforced: indicators are defined for any finite input and vendors' data is not always tidy.
public struct OHLCV: Sendable {
    public let dates: [String]
    public let open: [Double]
    public let high: [Double]
    public let low: [Double]
    public let close: [Double]
    public let volume: [Double]

    /// Number of bars.
    public var count: Int { close.count }

    /// Builds validated bars.
    ///
    /// - Throws: `QuantError.lengthMismatch` when a column's length differs from `dates`,
    ///   `QuantError.nonFinite` on the first NaN or infinity (naming column and 0-based index).
    ///   An empty series is allowed (zero bars); indicators reject it themselves.
    public init(
        dates: [String], open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double]
    ) throws(QuantError) {
        let columns: [(String, [Double])] = [("open", open), ("high", high), ("low", low), ("close", close), ("volume", volume)]
        for (name, column) in columns {
            guard column.count == dates.count else {
                throw .lengthMismatch(name, column.count, "dates", dates.count)
            }
            try QuantError.requireFinite(column, name)
        }
        self.dates = dates
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }
}
