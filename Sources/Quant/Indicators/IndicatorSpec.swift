/// An indicator named as users write it in URLs and chart options: `name[:p1[:p2…]]`, e.g. `sma:20`, `rsi:14`,
/// `macd:12:26:9`, `bbands:20:2`, `stoch:14:3:3`, `psar:0.02:0.2`. Missing parameters take the defaults of the
/// `Indicators` function (TA-Lib's); each is range-checked. Every indicator of `Indicators` is available.
///
/// Output columns are named like `bourse quant indicators` (`SMA_20`, `MACD_SIGNAL_12_26_9`, `BB_UPPER_20_2`,
/// `OBV`): the output's prefix, then the parameters joined by `_` (a fraction keeps its decimal point).
public struct IndicatorSpec: Sendable, Hashable, CustomStringConvertible {
    /// One parameter of an indicator.
    public struct Parameter: Sendable, Hashable {
        public let name: String
        public let defaultValue: Double
        public let range: ClosedRange<Double>
        public let integer: Bool
    }

    /// What the catalogue knows of an indicator: its parameters, its output columns and the price columns it reads.
    public struct Definition: Sendable, Hashable {
        public let name: String
        public let summary: String
        public let parameters: [Parameter]
        /// Output column prefixes in order (the parameters are appended).
        public let outputs: [String]
        /// Whether it is drawn on the price pane (moving averages, bands, SAR) rather than in its own pane.
        public let overlay: Bool
    }

    public let definition: Definition
    /// Parameter values in the definition's order.
    public let values: [Double]

    public var name: String { definition.name }
    public var description: String { ([name] + values.map(Self.text)).joined(separator: ":") }

    private static func window(_ name: String, _ value: Int, max: Int = 10_000) -> Parameter {
        Parameter(name: name, defaultValue: Double(value), range: 1...Double(max), integer: true)
    }

    private static func real(_ name: String, _ value: Double, _ range: ClosedRange<Double>) -> Parameter {
        Parameter(name: name, defaultValue: value, range: range, integer: false)
    }

    /// Every indicator, by name.
    public static let catalogue: [Definition] = [
        Definition(name: "sma", summary: "simple moving average of the close", parameters: [window("period", 20)], outputs: ["SMA"], overlay: true),
        Definition(name: "ema", summary: "exponential moving average (SMA seed)", parameters: [window("period", 20)], outputs: ["EMA"], overlay: true),
        Definition(name: "wma", summary: "linearly weighted moving average", parameters: [window("period", 9)], outputs: ["WMA"], overlay: true),
        Definition(name: "dema", summary: "double exponential moving average", parameters: [window("period", 30)], outputs: ["DEMA"], overlay: true),
        Definition(name: "tema", summary: "triple exponential moving average", parameters: [window("period", 30)], outputs: ["TEMA"], overlay: true),
        Definition(name: "kama", summary: "Kaufman adaptive moving average", parameters: [window("period", 10)], outputs: ["KAMA"], overlay: true),
        Definition(name: "bbands", summary: "Bollinger bands (population deviation)",
                   parameters: [window("period", 20), real("deviations", 2, 0.01...10)], outputs: ["BB_UPPER", "BB_MIDDLE", "BB_LOWER"], overlay: true),
        Definition(name: "keltner", summary: "Keltner channel (EMA ± multiplier × ATR)",
                   parameters: [window("period", 20), window("atr_period", 10), real("multiplier", 2, 0.01...10)],
                   outputs: ["KELTNER_UPPER", "KELTNER_MIDDLE", "KELTNER_LOWER"], overlay: true),
        Definition(name: "donchian", summary: "Donchian channel of highs and lows (current bar included)",
                   parameters: [window("period", 20)], outputs: ["DONCHIAN_UPPER", "DONCHIAN_MIDDLE", "DONCHIAN_LOWER"], overlay: true),
        Definition(name: "psar", summary: "parabolic SAR", parameters: [real("acceleration", 0.02, 0.001...1), real("maximum", 0.2, 0.001...1)],
                   outputs: ["SAR"], overlay: true),
        Definition(name: "vwap", summary: "volume-weighted average of the typical price over a window", parameters: [window("period", 20)],
                   outputs: ["VWAP"], overlay: true),
        Definition(name: "rsi", summary: "relative strength index (Wilder)", parameters: [window("period", 14)], outputs: ["RSI"], overlay: false),
        Definition(name: "macd", summary: "MACD line, signal and histogram",
                   parameters: [window("fast", 12), window("slow", 26), window("signal", 9)], outputs: ["MACD", "MACD_SIGNAL", "MACD_HIST"], overlay: false),
        Definition(name: "ppo", summary: "percentage price oscillator, signal and histogram",
                   parameters: [window("fast", 12), window("slow", 26), window("signal", 9)], outputs: ["PPO", "PPO_SIGNAL", "PPO_HIST"], overlay: false),
        Definition(name: "roc", summary: "rate of change, percent", parameters: [window("period", 10)], outputs: ["ROC"], overlay: false),
        Definition(name: "mom", summary: "momentum (close − close n bars ago)", parameters: [window("period", 10)], outputs: ["MOM"], overlay: false),
        Definition(name: "trix", summary: "TRIX, percent", parameters: [window("period", 30)], outputs: ["TRIX"], overlay: false),
        Definition(name: "stoch", summary: "slow stochastic %K and %D",
                   parameters: [window("period", 14), window("k_smoothing", 3), window("d_period", 3)], outputs: ["STOCH_SLOWK", "STOCH_SLOWD"], overlay: false),
        Definition(name: "stochf", summary: "fast stochastic %K and %D", parameters: [window("period", 14), window("d_period", 3)],
                   outputs: ["STOCHF_FASTK", "STOCHF_FASTD"], overlay: false),
        Definition(name: "stochrsi", summary: "stochastic RSI %K and %D",
                   parameters: [window("period", 14), window("k_period", 14), window("d_period", 3)], outputs: ["STOCHRSI_K", "STOCHRSI_D"], overlay: false),
        Definition(name: "willr", summary: "Williams %R", parameters: [window("period", 14)], outputs: ["WILLR"], overlay: false),
        Definition(name: "cci", summary: "commodity channel index", parameters: [window("period", 20)], outputs: ["CCI"], overlay: false),
        Definition(name: "ultosc", summary: "ultimate oscillator", parameters: [window("short", 7), window("medium", 14), window("long", 28)],
                   outputs: ["ULTOSC"], overlay: false),
        Definition(name: "adx", summary: "+DI, −DI and ADX (Wilder)", parameters: [window("period", 14)], outputs: ["PLUS_DI", "MINUS_DI", "ADX"],
                   overlay: false),
        Definition(name: "aroon", summary: "Aroon up, down and oscillator", parameters: [window("period", 14)], outputs: ["AROON_UP", "AROON_DOWN", "AROON_OSC"],
                   overlay: false),
        Definition(name: "atr", summary: "average true range (Wilder)", parameters: [window("period", 14)], outputs: ["ATR"], overlay: false),
        Definition(name: "trange", summary: "true range", parameters: [], outputs: ["TRANGE"], overlay: false),
        Definition(name: "obv", summary: "on-balance volume", parameters: [], outputs: ["OBV"], overlay: false),
        Definition(name: "ad", summary: "Chaikin accumulation/distribution line", parameters: [], outputs: ["AD"], overlay: false),
        Definition(name: "mfi", summary: "money flow index", parameters: [window("period", 14)], outputs: ["MFI"], overlay: false),
    ]

    /// The names `catalogue` knows, for messages.
    public static var names: [String] { catalogue.map(\.name) }

    /// Parses one `name[:p…]`.
    ///
    /// - Throws: `QuantError.invalidParameter` naming the indicator or parameter: an unknown name (listing the
    ///   known ones), too many parameters, a value that is not a number, out of range or not whole where it must be,
    ///   or fast ≥ slow for MACD and PPO.
    public init(parsing text: String) throws(QuantError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        let name = parts[0].lowercased()
        guard let definition = Self.catalogue.first(where: { $0.name == name }) else {
            throw .invalidParameter("indicator", text, "is not one of \(Self.names.joined(separator: ", "))")
        }
        let given = Array(parts.dropFirst())
        guard given.count <= definition.parameters.count else {
            throw .invalidParameter(name, text, "takes at most \(definition.parameters.count) parameters (\(definition.parameters.map(\.name).joined(separator: ", ")))")
        }
        var values: [Double] = []
        for (i, parameter) in definition.parameters.enumerated() {
            guard i < given.count, !given[i].isEmpty else {
                values.append(parameter.defaultValue)
                continue
            }
            guard let value = Double(given[i]), value.isFinite else {
                throw .invalidParameter("\(name).\(parameter.name)", given[i], "is not a number")
            }
            guard parameter.range.contains(value) else {
                throw .invalidParameter("\(name).\(parameter.name)", value, "must lie in \(Self.text(parameter.range.lowerBound))...\(Self.text(parameter.range.upperBound))")
            }
            if parameter.integer, value.rounded() != value { throw .invalidParameter("\(name).\(parameter.name)", value, "must be a whole number") }
            values.append(value)
        }
        if name == "macd" || name == "ppo", values[0] >= values[1] {
            throw .invalidParameter("\(name).fast", values[0], "must be below slow (\(Self.text(values[1])))")
        }
        self.definition = definition
        self.values = values
    }

    /// Parses a comma-separated list (`sma:20,rsi:14`); duplicates are kept once, in first-seen order.
    public static func parseList(_ text: String) throws(QuantError) -> [IndicatorSpec] {
        var out: [IndicatorSpec] = []
        for item in text.split(separator: ",") where !item.trimmingCharacters(in: .whitespaces).isEmpty {
            let spec = try IndicatorSpec(parsing: String(item))
            if !out.contains(spec) { out.append(spec) }
        }
        guard !out.isEmpty else { throw .empty("indicators") }
        return out
    }

    /// `20` for whole numbers, else the shortest text of the value (`2.5`, `0.02`).
    static func text(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// The names of the output columns, in order.
    public var columnNames: [String] {
        let suffix = values.map(Self.text).joined(separator: "_")
        return definition.outputs.map { suffix.isEmpty ? $0 : $0 + "_" + suffix }
    }

    /// Computes the columns over `bars` (Quant's functions with their default conventions; warm-up bars are NaN).
    public func compute(_ bars: OHLCV) throws(QuantError) -> [IndicatorTable.Column] {
        let (h, l, c, v) = (bars.high, bars.low, bars.close, bars.volume)
        func n(_ i: Int) -> Int { Int(values[i]) }
        let outputs: [[Double]]
        switch name {
        case "sma": outputs = [try Indicators.sma(c, period: n(0))]
        case "ema": outputs = [try Indicators.ema(c, period: n(0))]
        case "wma": outputs = [try Indicators.wma(c, period: n(0))]
        case "dema": outputs = [try Indicators.dema(c, period: n(0))]
        case "tema": outputs = [try Indicators.tema(c, period: n(0))]
        case "kama": outputs = [try Indicators.kama(c, period: n(0))]
        case "bbands":
            let b = try Indicators.bollingerBands(c, period: n(0), deviations: values[1])
            outputs = [b.upper, b.middle, b.lower]
        case "keltner":
            let b = try Indicators.keltnerChannel(high: h, low: l, close: c, period: n(0), atrPeriod: n(1), multiplier: values[2])
            outputs = [b.upper, b.middle, b.lower]
        case "donchian":
            let b = try Indicators.donchianChannel(high: h, low: l, period: n(0))
            outputs = [b.upper, b.middle, b.lower]
        case "psar": outputs = [try Indicators.parabolicSAR(high: h, low: l, acceleration: values[0], maximum: values[1])]
        case "vwap": outputs = [try Indicators.vwap(high: h, low: l, close: c, volume: v, period: n(0))]
        case "rsi": outputs = [try Indicators.rsi(c, period: n(0))]
        case "macd":
            let m = try Indicators.macd(c, fast: n(0), slow: n(1), signal: n(2))
            outputs = [m.line, m.signal, m.histogram]
        case "ppo":
            let m = try Indicators.ppo(c, fast: n(0), slow: n(1), signal: n(2))
            outputs = [m.line, m.signal, m.histogram]
        case "roc": outputs = [try Indicators.roc(c, period: n(0))]
        case "mom": outputs = [try Indicators.momentum(c, period: n(0))]
        case "trix": outputs = [try Indicators.trix(c, period: n(0))]
        case "stoch":
            let s = try Indicators.stochastic(high: h, low: l, close: c, period: n(0), kSmoothing: n(1), dPeriod: n(2))
            outputs = [s.k, s.d]
        case "stochf":
            let s = try Indicators.stochasticFast(high: h, low: l, close: c, period: n(0), dPeriod: n(1))
            outputs = [s.k, s.d]
        case "stochrsi":
            let s = try Indicators.stochasticRSI(c, period: n(0), kPeriod: n(1), dPeriod: n(2))
            outputs = [s.k, s.d]
        case "willr": outputs = [try Indicators.williamsR(high: h, low: l, close: c, period: n(0))]
        case "cci": outputs = [try Indicators.cci(high: h, low: l, close: c, period: n(0))]
        case "ultosc": outputs = [try Indicators.ultimateOscillator(high: h, low: l, close: c, periods: (n(0), n(1), n(2)))]
        case "adx":
            let d = try Indicators.directionalMovement(high: h, low: l, close: c, period: n(0))
            outputs = [d.plusDI, d.minusDI, d.adx]
        case "aroon":
            let a = try Indicators.aroon(high: h, low: l, period: n(0))
            outputs = [a.up, a.down, a.oscillator]
        case "atr": outputs = [try Indicators.atr(high: h, low: l, close: c, period: n(0))]
        case "trange": outputs = [try Indicators.trueRange(high: h, low: l, close: c)]
        case "obv": outputs = [try Indicators.obv(close: c, volume: v)]
        case "ad": outputs = [try Indicators.accumulationDistribution(high: h, low: l, close: c, volume: v)]
        default: outputs = [try Indicators.mfi(high: h, low: l, close: c, volume: v, period: n(0))]
        }
        return zip(columnNames, outputs).map { IndicatorTable.Column(name: $0, values: $1) }
    }
}
