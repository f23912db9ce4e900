/// The built-in strategies, constructible by name from numeric parameters.
public enum BuiltInStrategies {
    /// One parameter of a built-in strategy.
    public struct Parameter: Sendable, Hashable, Codable {
        public let name: String
        public let summary: String
        public let defaultValue: Double
        /// Inclusive range.
        public let minimum: Double
        public let maximum: Double
        /// Must be a whole number (a window length).
        public let integer: Bool
    }

    /// A strategy's name, what it does and its parameters.
    public struct Descriptor: Sendable, Hashable, Codable {
        public let name: String
        public let summary: String
        public let parameters: [Parameter]
    }

    private static func window(_ name: String, _ summary: String, _ value: Int, max: Int = 1000) -> Parameter {
        Parameter(name: name, summary: summary, defaultValue: Double(value), minimum: 1, maximum: Double(max), integer: true)
    }

    /// Every built-in strategy. Single-signal strategies are long-only and all-in: `targetPercent(weight)` with
    /// equal weights `1 / symbols` unless weights are given, at the next bar's open.
    public static let catalogue: [Descriptor] = [
        Descriptor(
            name: "sma-cross", summary: "Long from SMA(fast) crossing above SMA(slow), flat from crossing below",
            parameters: [window("fast", "fast SMA window, below slow", 50), window("slow", "slow SMA window", 200)]),
        Descriptor(
            name: "ema-cross", summary: "Long from EMA(fast) crossing above EMA(slow), flat from crossing below",
            parameters: [window("fast", "fast EMA window, below slow", 12), window("slow", "slow EMA window", 26)]),
        Descriptor(
            name: "rsi-reversion", summary: "Long when RSI < lower, flat when RSI > upper",
            parameters: [
                window("period", "RSI window (Wilder)", 14),
                Parameter(name: "lower", summary: "oversold level, below upper", defaultValue: 30, minimum: 0, maximum: 100, integer: false),
                Parameter(name: "upper", summary: "overbought level", defaultValue: 70, minimum: 0, maximum: 100, integer: false),
            ]),
        Descriptor(
            name: "bollinger-breakout", summary: "Long when the close is above the upper band, flat below the middle",
            parameters: [window("period", "band window", 20), deviationsParameter]),
        Descriptor(
            name: "bollinger-reversion", summary: "Long when the close is below the lower band, flat above the middle",
            parameters: [window("period", "band window", 20), deviationsParameter]),
        Descriptor(
            name: "macd", summary: "Long from the MACD line crossing above its signal, flat from crossing below",
            parameters: [window("fast", "fast EMA window, below slow", 12), window("slow", "slow EMA window", 26), window("signal", "signal EMA window", 9)]),
        Descriptor(
            name: "donchian-breakout",
            summary: "Long when the close exceeds the previous entry-bar high, flat below the previous exit-bar low",
            parameters: [window("entry", "breakout window", 20), window("exit", "exit window", 10)]),
        Descriptor(name: "buy-and-hold", summary: "Buy every symbol at its weight at the first opportunity and hold", parameters: []),
        Descriptor(
            name: "rebalance", summary: "Every N bars, bring every symbol back to its weight",
            parameters: [window("every", "bars between rebalances", 21, max: 100_000)]),
    ]

    private static let deviationsParameter = Parameter(
        name: "deviations", summary: "band width in population standard deviations", defaultValue: 2, minimum: 0, maximum: 10, integer: false)

    /// Builds a built-in strategy by name. Missing parameters take their defaults.
    ///
    /// - Parameter weights: per-symbol target weights (finite, Σ|w| ≤ 1 is not enforced: weights above 1 in sum
    ///   are capped by cash at fill time); `nil`: equal weights. Checked against the symbols in `prepare`.
    /// - Throws: `QuantError.invalidParameter` naming the strategy or parameter for an unknown name, an unknown
    ///   parameter, a value out of range or not whole where it must be, or fast ≥ slow / lower ≥ upper.
    public static func make(_ name: String, parameters: [String: Double] = [:], weights: [Double]? = nil) throws(QuantError) -> AnyTradingStrategy {
        guard let descriptor = catalogue.first(where: { $0.name == name }) else {
            throw .invalidParameter("strategy", name, "must be one of \(catalogue.map(\.name).joined(separator: ", "))")
        }
        for key in parameters.keys.sorted() where !descriptor.parameters.contains(where: { $0.name == key }) {
            throw .invalidParameter(key, parameters[key]!, "is not a parameter of \(name)")
        }
        var values: [String: Double] = [:]
        for p in descriptor.parameters {
            let v = parameters[p.name] ?? p.defaultValue
            guard v.isFinite, v >= p.minimum, v <= p.maximum else {
                throw .invalidParameter(p.name, v, "must lie in [\(p.minimum), \(p.maximum)]")
            }
            if p.integer, v.rounded() != v { throw .invalidParameter(p.name, v, "must be a whole number") }
            values[p.name] = v
        }
        func int(_ key: String) -> Int { Int(values[key]!) }
        func ordered(_ low: String, _ high: String) throws(QuantError) {
            guard values[low]! < values[high]! else { throw .invalidParameter(low, values[low]!, "must be below \(high) = \(values[high]!)") }
        }
        let rule: SignalStrategy.Rule
        switch name {
        case "sma-cross":
            try ordered("fast", "slow")
            rule = .smaCross(fast: int("fast"), slow: int("slow"))
        case "ema-cross":
            try ordered("fast", "slow")
            rule = .emaCross(fast: int("fast"), slow: int("slow"))
        case "rsi-reversion":
            try ordered("lower", "upper")
            rule = .rsiReversion(period: int("period"), lower: values["lower"]!, upper: values["upper"]!)
        case "bollinger-breakout": rule = .bollingerBreakout(period: int("period"), deviations: values["deviations"]!)
        case "bollinger-reversion": rule = .bollingerReversion(period: int("period"), deviations: values["deviations"]!)
        case "macd":
            try ordered("fast", "slow")
            rule = .macd(fast: int("fast"), slow: int("slow"), signal: int("signal"))
        case "donchian-breakout": rule = .donchianBreakout(entry: int("entry"), exit: int("exit"))
        case "buy-and-hold": return .buyAndHold(BuyAndHoldStrategy(weights: weights))
        default: return .rebalance(RebalanceStrategy(every: int("every"), weights: weights))
        }
        return .signal(SignalStrategy(rule, weights: weights))
    }

    /// Target weights: the given ones checked (count and finiteness), or `1 / symbolCount` each.
    static func weights(_ weights: [Double]?, symbolCount: Int) throws(QuantError) -> [Double] {
        guard let weights else { return [Double](repeating: 1 / Double(symbolCount), count: symbolCount) }
        guard weights.count == symbolCount else { throw .lengthMismatch("weights", weights.count, "symbols", symbolCount) }
        try QuantError.requireFinite(weights, "weights")
        return weights
    }
}

/// A built-in strategy as one concrete type: an enum whose calls switch to the concrete strategy (no existential).
public enum AnyTradingStrategy: TradingStrategy, Sendable {
    case signal(SignalStrategy)
    case buyAndHold(BuyAndHoldStrategy)
    case rebalance(RebalanceStrategy)

    public mutating func prepare(_ bars: MarketBars) throws(QuantError) {
        switch self {
        case .signal(var s): try s.prepare(bars); self = .signal(s)
        case .buyAndHold(var s): try s.prepare(bars); self = .buyAndHold(s)
        case .rebalance(var s): try s.prepare(bars); self = .rebalance(s)
        }
    }

    public mutating func onBar(_ context: inout StrategyContext) {
        switch self {
        case .signal(var s): s.onBar(&context); self = .signal(s)
        case .buyAndHold(var s): s.onBar(&context); self = .buyAndHold(s)
        case .rebalance(var s): s.onBar(&context); self = .rebalance(s)
        }
    }
}
