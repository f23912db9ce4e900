/// The default indicator set of `bourse quant indicators`, computed on the close (and high/low/volume where
/// needed) of a price file, with TA-Lib's conventions and the usual parameters.
public struct IndicatorTable: Sendable {
    /// One output column.
    public struct Column: Sendable, Hashable {
        public let name: String
        public let values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// Selectable families, in output order, with the columns each adds.
    public static let families: [(name: String, columns: [String])] = [
        ("sma", ["SMA_20"]),
        ("ema", ["EMA_20"]),
        ("rsi", ["RSI_14"]),
        ("macd", ["MACD_12_26_9", "MACD_SIGNAL_12_26_9", "MACD_HIST_12_26_9"]),
        ("bbands", ["BB_UPPER_20_2", "BB_MIDDLE_20_2", "BB_LOWER_20_2"]),
        ("atr", ["ATR_14"]),
        ("stoch", ["STOCH_SLOWK_14_3_3", "STOCH_SLOWD_14_3_3"]),
        ("adx", ["PLUS_DI_14", "MINUS_DI_14", "ADX_14"]),
        ("obv", ["OBV"]),
    ]

    /// Each family as an `IndicatorSpec` with its usual parameters.
    static let specs = [
        "sma": "sma:20", "ema": "ema:20", "rsi": "rsi:14", "macd": "macd:12:26:9", "bbands": "bbands:20:2", "atr": "atr:14",
        "stoch": "stoch:14:3:3", "adx": "adx:14", "obv": "obv",
    ]

    public let dates: [String]
    public let columns: [Column]

    /// A table of columns already computed (each as long as `dates`).
    public init(dates: [String], columns: [Column]) {
        self.dates = dates
        self.columns = columns
    }

    /// Computes the selected families (names case-insensitive; nil or empty = all) in the order of `families`.
    ///
    /// - Throws: `QuantError.invalidParameter` for an unknown family, listing the valid ones; the indicators'
    ///   own errors for empty input.
    public init(bars: OHLCV, only: [String]? = nil) throws(QuantError) {
        let wanted = Set((only ?? []).map { $0.lowercased() })
        let valid = Self.families.map(\.name)
        if let unknown = (only ?? []).first(where: { !valid.contains($0.lowercased()) }) {
            throw .invalidParameter("indicator", unknown, "valid names are \(valid.joined(separator: ", "))")
        }
        var columns: [Column] = []
        for family in valid where wanted.isEmpty || wanted.contains(family) {
            columns += try IndicatorSpec(parsing: Self.specs[family]!).compute(bars)
        }
        self.dates = bars.dates
        self.columns = columns
    }

    /// CSV text: a `Date,<columns>` header, one line per bar, an empty cell where a value is not yet defined,
    /// numbers in Swift's shortest round-trip form.
    public func csv() -> String {
        var text = "Date"
        for column in columns { text += "," + column.name }
        text += "\n"
        for (row, date) in dates.enumerated() {
            text += date
            for column in columns {
                text += ","
                let value = column.values[row]
                if !value.isNaN { text += value.description }
            }
            text += "\n"
        }
        return text
    }
}
