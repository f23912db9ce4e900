/// The default indicator set of `bourse quant indicators`, computed on the close (and high/low/volume where
/// needed) of a price file, with TA-Lib's conventions and the usual parameters.
public struct IndicatorTable: Sendable {
    /// One output column.
    public struct Column: Sendable, Hashable {
        public let name: String
        public let values: [Double]
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

    public let dates: [String]
    public let columns: [Column]

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
        let (h, l, c, v) = (bars.high, bars.low, bars.close, bars.volume)
        for family in valid where wanted.isEmpty || wanted.contains(family) {
            let values: [[Double]]
            switch family {
            case "sma": values = [try Indicators.sma(c, period: 20)]
            case "ema": values = [try Indicators.ema(c, period: 20)]
            case "rsi": values = [try Indicators.rsi(c, period: 14)]
            case "macd":
                let m = try Indicators.macd(c, fast: 12, slow: 26, signal: 9)
                values = [m.line, m.signal, m.histogram]
            case "bbands":
                let b = try Indicators.bollingerBands(c, period: 20, deviations: 2)
                values = [b.upper, b.middle, b.lower]
            case "atr": values = [try Indicators.atr(high: h, low: l, close: c, period: 14)]
            case "stoch":
                let s = try Indicators.stochastic(high: h, low: l, close: c, period: 14, kSmoothing: 3, dPeriod: 3)
                values = [s.k, s.d]
            case "adx":
                let d = try Indicators.directionalMovement(high: h, low: l, close: c, period: 14)
                values = [d.plusDI, d.minusDI, d.adx]
            default: values = [try Indicators.obv(close: c, volume: v)]
            }
            let names = Self.families.first { $0.name == family }!.columns
            columns += zip(names, values).map { Column(name: $0, values: $1) }
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
