/// A trading strategy driven bar by bar by `Backtest.run`.
///
/// The engine calls `prepare` once, then for every bar `t`: fills working orders on bar `t`, calls
/// `beforeClose` (which sees bar `t`'s open only), fills market-on-close orders at `t`'s close, marks equity,
/// then calls `onBar` (which sees bar `t` whole). Orders placed in `onBar` fill from bar `t + 1` on.
/// Strategies are generic parameters of the engine, not existentials, so the calls are specialised.
public protocol TradingStrategy {
    /// Precomputes causal indicator columns (value `t` may use bars `≤ t` only) for every symbol.
    mutating func prepare(_ bars: MarketBars) throws(QuantError)
    /// After bar `t`'s close: read the context, place or cancel orders.
    mutating func onBar(_ context: inout StrategyContext)
    /// After bar `t`'s open and before its close (the context refuses `t`'s high, low, close and volume):
    /// market and market-on-close orders placed here fill at `t`'s close. Default: nothing.
    mutating func beforeClose(_ context: inout StrategyContext)
}

extension TradingStrategy {
    public mutating func prepare(_ bars: MarketBars) throws(QuantError) {}
    public mutating func beforeClose(_ context: inout StrategyContext) {}
}

/// What a strategy sees and does on one bar: a view of bars `0...t` (no accessor reaches beyond `t`), the
/// account, open orders, and `submit`/`cancel`.
public struct StrategyContext {
    /// Which callback is running.
    public enum Phase: Sendable, Hashable {
        /// `beforeClose`: bar `t`'s open is known, its high, low, close and volume are not.
        case beforeClose
        /// `onBar`: bar `t` is complete.
        case afterClose
    }

    let bars: MarketBars
    let settings: BacktestSettings
    /// The current bar index `t`.
    public internal(set) var bar: Int = 0
    public internal(set) var phase: Phase = .afterClose
    /// Cash in the account (short-sale proceeds included).
    public internal(set) var cash: Double
    /// Signed shares held per symbol (negative = short).
    var positions: [Double]
    /// Price each position is currently valued at: this bar's open until the close, then its close (a symbol
    /// without a bar keeps its last close).
    var marks: [Double]
    /// Average entry price per symbol (see `averageEntryPrice`); allocated on the first fill.
    var entryPrices: [Double] = []
    /// `Σ positions × marks`.
    var holdingsValue = 0.0
    /// Working orders in submission order.
    public internal(set) var openOrders: [OpenOrder] = []
    var nextID: OrderID = 1
    var refusals: [Refusal] = []

    init(bars: MarketBars, settings: BacktestSettings) {
        self.bars = bars
        self.settings = settings
        cash = settings.initialCash
        positions = [Double](repeating: 0, count: bars.symbols.count)
        marks = [Double](repeating: 0, count: bars.symbols.count)
    }

    /// The date of bar `t`.
    public var date: String { bars.dates[bar] }
    /// Symbols, indexed like `Order.symbol`.
    public var symbols: [String] { bars.symbols }
    /// Cash plus every position at its latest price: this bar's open during `beforeClose`, its close in `onBar`.
    public var equity: Double { cash + holdingsValue }
    /// Signed shares held in `symbol`.
    public func position(_ symbol: Int) -> Double { positions[symbol] }

    /// Average fill price (slippage included, fees not) of the position held in `symbol`: fills that grow the
    /// position average in by quantity, fills that reduce it leave it, a fill that flips the side starts it again
    /// at its own price; `nil` when flat.
    public func averageEntryPrice(_ symbol: Int) -> Double? {
        guard symbol >= 0, symbol < positions.count, positions[symbol] != 0 else { return nil }
        return entryPrices[symbol]
    }

    mutating func trackEntryPrice(_ s: Int, before: Double, signed: Double, price: Double) {
        if entryPrices.isEmpty { entryPrices = [Double](repeating: .nan, count: positions.count) }
        let after = before + signed
        if after == 0 {
            entryPrices[s] = .nan
        } else if before == 0 || (before > 0) != (after > 0) {
            entryPrices[s] = price
        } else if (before > 0) == (signed > 0) {
            entryPrices[s] = (entryPrices[s] * before.magnitude + price * signed.magnitude) / after.magnitude
        }
    }

    /// Index of bar `t − ago` when the strategy may see `field` of it, else `nil`.
    @inline(__always)
    private func visible(_ symbol: Int, _ ago: Int, intraday: Bool) -> Int? {
        guard ago >= 0, ago <= bar, symbol >= 0, symbol < bars.symbols.count else { return nil }
        if ago == 0, intraday, phase == .beforeClose { return nil }
        return symbol * bars.dateCount + bar - ago
    }

    /// Open of bar `t − ago`; `nil` for `ago < 0` (the future) or before the first bar.
    public func open(_ symbol: Int, ago: Int = 0) -> Double? { visible(symbol, ago, intraday: false).map { bars.open[$0] } }
    /// High of bar `t − ago`; `nil` for the future, and for bar `t` during `beforeClose`.
    public func high(_ symbol: Int, ago: Int = 0) -> Double? { visible(symbol, ago, intraday: true).map { bars.high[$0] } }
    /// Low of bar `t − ago`; `nil` like `high`.
    public func low(_ symbol: Int, ago: Int = 0) -> Double? { visible(symbol, ago, intraday: true).map { bars.low[$0] } }
    /// Close of bar `t − ago`; `nil` like `high`. Forward-filled on days without a bar.
    public func close(_ symbol: Int, ago: Int = 0) -> Double? { visible(symbol, ago, intraday: true).map { bars.close[$0] } }
    /// Volume of bar `t − ago`; `nil` like `high`.
    public func volume(_ symbol: Int, ago: Int = 0) -> Double? { visible(symbol, ago, intraday: true).map { bars.volume[$0] } }
    /// Whether the symbol traded on bar `t − ago`; `false` for the future.
    public func hasBar(_ symbol: Int, ago: Int = 0) -> Bool { visible(symbol, ago, intraday: false).map { bars.hasBar[$0] } ?? false }

    /// Value of a precomputed calendar-length column (e.g. from `MarketBars.column`) at bar `t − ago`, which
    /// uses the close of that bar: `nil` for the future and for bar `t` during `beforeClose`.
    @inline(__always)
    public func value(_ column: [Double], ago: Int = 0) -> Double? {
        guard ago >= 0, ago <= bar, bar - ago < column.count else { return nil }
        if ago == 0, phase == .beforeClose { return nil }
        return column[bar - ago]
    }

    /// Queues an order and returns its id. It fills from bar `t + 1` on (a market or market-on-close order
    /// placed in `beforeClose` at bar `t`'s close). An invalid order is refused at once (see `Refusal`).
    @discardableResult
    public mutating func submit(_ order: Order) -> OrderID {
        let id = nextID
        nextID += 1
        if let problem = Self.problem(of: order, symbolCount: bars.symbols.count) {
            refuse(id: id, symbol: order.symbol, .invalidOrder, problem)
            return id
        }
        let atClose: Bool
        switch order.type {
        case .market, .marketOnClose: atClose = phase == .beforeClose
        default: atClose = false
        }
        let row = bar * bars.symbols.count + order.symbol
        let reference = phase == .beforeClose ? bars.openByDate[row] : bars.closeByDate[row]
        openOrders.append(
            OpenOrder(
                id: id, order: order, filled: 0, parent: nil, activeFrom: atClose ? bar : bar + 1, atClose: atClose,
                bestClose: reference))
        return id
    }

    /// Cancels a working order (and nothing else: a bracket's other leg stays). Unknown or finished ids are ignored.
    public mutating func cancel(_ id: OrderID) {
        if let i = openOrders.firstIndex(where: { $0.id == id }) { openOrders.remove(at: i) }
    }

    mutating func refuse(id: OrderID, symbol: Int, _ reason: Refusal.Reason, _ detail: String) {
        let name = symbol >= 0 && symbol < bars.symbols.count ? bars.symbols[symbol] : "#\(symbol)"
        refusals.append(Refusal(date: bars.dates[bar], bar: bar, symbol: name, orderID: id, reason: reason, detail: detail))
    }

    static func problem(of order: Order, symbolCount: Int) -> String? {
        guard order.symbol >= 0, order.symbol < symbolCount else { return "unknown symbol index \(order.symbol)" }
        switch order.size {
        case .shares(let x), .value(let x), .percentOfEquity(let x):
            guard x > 0, x.isFinite else { return "size \(order.size) must be positive and finite" }
        case .targetPercent(let x), .targetValue(let x):
            guard x.isFinite else { return "size \(order.size) must be finite" }
        }
        func positive(_ p: Double) -> Bool { p > 0 && p.isFinite }
        switch order.type {
        case .market, .marketOnOpen, .marketOnClose: break
        case .limit(let p), .stop(let p): if !positive(p) { return "price \(p) must be positive and finite" }
        case .stopLimit(let s, let l): if !positive(s) || !positive(l) { return "prices \(s), \(l) must be positive and finite" }
        case .trailingStop(.amount(let a)): if !positive(a) { return "trail amount \(a) must be positive" }
        case .trailingStop(.percent(let p)): if !(p > 0 && p < 1) { return "trail percent \(p) must lie in (0, 1)" }
        }
        if order.stopLoss != nil || order.takeProfit != nil, case let levels = [order.stopLoss, order.takeProfit] {
            for level in levels {
            switch level {
            case nil: continue
            case .price(let x), .amount(let x): if !positive(x) { return "exit level \(level!) must be positive" }
            case .percent(let p): if !(p > 0 && p < 1) { return "exit level \(level!) must lie in (0, 1)" }
            }
            }
        }
        return nil
    }
}
