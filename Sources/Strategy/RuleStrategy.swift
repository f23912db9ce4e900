import Quant
import QuantExpression

/// A strategy of entry and exit rules in the expression language, evaluated per symbol.
///
/// On bar t's close, for each symbol that traded on t: flat and `entry` true → an order for the target
/// `size × equity` (long, or short when `side` is short) at the next open, with the optional stop-loss and
/// take-profit attached; holding and `exit` true → an order to close at the next open. While an order of the
/// symbol is working nothing else is placed. State variables the exit rule may use: `entry_price` (the average
/// entry fill price of the position held, NaN when flat), `bars_held` (bars since the entry filled) and
/// `position` (signed shares). Values come from Quant's indicators over the symbol's calendar-length columns
/// (see MarketBars: a day without a bar repeats the last close).
struct RuleStrategy: TradingStrategy {
    static let state = ["entry_price", "bars_held", "position"]
    static var schema: ExpressionSchema { ExpressionSchema(state: state) }

    let entry: CompiledExpression
    let exit: CompiledExpression?
    let side: Side
    let size: Double?
    let stopLoss: Double?
    let takeProfit: Double?

    private var entries: [PreparedExpression] = []
    private var exits: [PreparedExpression?] = []
    private var entryBar: [Int] = []
    private var entryPrice: [Double] = []
    private var fraction = 1.0

    /// Compiles the rules; the errors name line and column within each rule.
    init(_ rules: StrategyDefinition.Rules) throws(ExpressionError) {
        entry = try CompiledExpression(try Expression.parse(rules.entry), schema: Self.schema, expecting: .boolean)
        exit = try rules.exit.map { source throws(ExpressionError) in
            try CompiledExpression(try Expression.parse(source), schema: Self.schema, expecting: .boolean)
        }
        side = rules.side == .short ? .sell : .buy
        size = rules.size
        stopLoss = rules.stopLoss
        takeProfit = rules.takeProfit
    }

    mutating func prepare(_ bars: MarketBars) throws(QuantError) {
        let n = bars.dateCount
        entries = []
        exits = []
        for s in bars.symbols.indices {
            let range = s * n..<(s + 1) * n
            let ohlcv = try OHLCV(dates: bars.dates, open: Array(bars.open[range]), high: Array(bars.high[range]), low: Array(bars.low[range]),
                                  close: Array(bars.close[range]), volume: Array(bars.volume[range]))
            let input = ExpressionInput(bars: ohlcv)
            do {
                entries.append(try PreparedExpression(entry, input: input))
                exits.append(try exit.map { compiled throws(ExpressionError) in try PreparedExpression(compiled, input: input) })
            } catch {
                throw .invalidParameter("rules", error.description, "cannot be evaluated on \(bars.symbols[s])")
            }
        }
        entryBar = Array(repeating: -1, count: bars.symbols.count)
        entryPrice = Array(repeating: .nan, count: bars.symbols.count)
        fraction = size ?? 1 / Double(max(bars.symbols.count, 1))
    }

    mutating func onBar(_ context: inout StrategyContext) {
        let t = context.bar
        for s in entries.indices where context.hasBar(s) {
            let held = context.position(s)
            if held == 0 {
                entryBar[s] = -1
                entryPrice[s] = .nan
            } else if entryBar[s] < 0 {
                entryBar[s] = t
                entryPrice[s] = context.averageEntryPrice(s) ?? .nan
            }
            if context.openOrders.contains(where: { $0.order.symbol == s && $0.parent == nil }) { continue }
            let state = [entryPrice[s], entryBar[s] < 0 ? 0 : Double(t - entryBar[s]), held]
            if held == 0 {
                guard entries[s].bool(at: t, state: state) else { continue }
                var order = Order.target(s, percent: side == .buy ? fraction : -fraction)
                order.stopLoss = stopLoss.map { .percent($0) }
                order.takeProfit = takeProfit.map { .percent($0) }
                context.submit(order)
            } else if let exit = exits[s], exit.bool(at: t, state: state) {
                context.submit(Order.target(s, percent: 0))
            }
        }
    }
}
