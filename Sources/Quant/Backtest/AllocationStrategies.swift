/// Buys each symbol once, at the first open after its first bar, at its target weight, and holds.
public struct BuyAndHoldStrategy: TradingStrategy, Sendable {
    /// Per-symbol weights; `nil`: equal.
    public let weights: [Double]?
    private var targets: [Double] = []
    private var bought: [Bool] = []

    public init(weights: [Double]? = nil) { self.weights = weights }

    public mutating func prepare(_ bars: MarketBars) throws(QuantError) {
        targets = try BuiltInStrategies.weights(weights, symbolCount: bars.symbols.count)
        bought = [Bool](repeating: false, count: bars.symbols.count)
    }

    public mutating func onBar(_ context: inout StrategyContext) {
        for s in bought.indices where !bought[s] && context.hasBar(s) {
            bought[s] = true
            context.submit(.target(s, percent: targets[s]))
        }
    }
}

/// Every `every` bars (from bar 0), market orders bring every symbol to its target weight; sells execute before
/// buys at the next open, so the proceeds pay for the buys. Symbols without a bar yet are skipped that time.
public struct RebalanceStrategy: TradingStrategy, Sendable {
    public let every: Int
    public let weights: [Double]?
    private var targets: [Double] = []

    public init(every: Int, weights: [Double]? = nil) {
        self.every = every
        self.weights = weights
    }

    public mutating func prepare(_ bars: MarketBars) throws(QuantError) {
        try QuantError.requirePeriod(every, "every")
        targets = try BuiltInStrategies.weights(weights, symbolCount: bars.symbols.count)
    }

    public mutating func onBar(_ context: inout StrategyContext) {
        guard context.bar % every == 0 else { return }
        for s in targets.indices where context.hasBar(s) { context.submit(.target(s, percent: targets[s])) }
    }
}
