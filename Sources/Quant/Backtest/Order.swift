/// Identifies an order for the whole run (1, 2, 3, … in submission order; brackets' children get their own).
public typealias OrderID = Int

/// Buy or sell.
public enum Side: String, Sendable, Hashable, Codable {
    case buy, sell

    /// +1 for a buy, −1 for a sell.
    public var sign: Double { self == .buy ? 1 : -1 }
}

/// How many shares an order is for, resolved at fill time against the fill price.
///
/// `.shares` is exact: when it does not fit the cash (or would open a short with `allowShort` off) the fill is
/// refused and reported. Every other size is a budget: a buy is reduced to the largest quantity whose cost plus
/// fee fits the cash (as Lean's buying-power model does), a sell is reduced to the held quantity when shorting is
/// off. "Equity" is cash + Σ qty × price with this symbol at the fill price and the others at their last close.
public enum Sizing: Sendable, Hashable, Codable {
    /// A number of shares (> 0), in the order's side.
    case shares(Double)
    /// Shares worth this much money (> 0) at the fill price, in the order's side.
    case value(Double)
    /// Shares worth this fraction (> 0; 0.1 = 10 %) of equity, in the order's side.
    case percentOfEquity(Double)
    /// Trade the difference so that the position is worth this fraction of equity (negative = short);
    /// the side is derived from the difference.
    case targetPercent(Double)
    /// Trade the difference so that the position is worth this much money (negative = short).
    case targetValue(Double)

    /// True for the target sizes, whose side comes from the difference to the current position.
    public var isTarget: Bool {
        switch self {
        case .targetPercent, .targetValue: true
        default: false
        }
    }
}

/// Trailing distance of a trailing stop.
public enum TrailDistance: Sendable, Hashable, Codable {
    /// A price distance (> 0).
    case amount(Double)
    /// A fraction of the reference price (0 < p < 1; 0.05 = 5 %).
    case percent(Double)
}

/// How and at what price an order may fill; see docs/backtesting.md for every rule.
public enum OrderType: Sendable, Hashable, Codable {
    /// At the next price the engine sees: the next bar's open when placed in `onBar`, this bar's close when
    /// placed in `beforeClose`.
    case market
    /// At a bar's open (the next bar's, also when placed in `beforeClose`).
    case marketOnOpen
    /// At a bar's close: this bar's when placed in `beforeClose`, the next bar's when placed in `onBar`.
    case marketOnClose
    /// Buy at the limit or lower, sell at the limit or higher.
    case limit(Double)
    /// Buy when the price rises to the stop, sell when it falls to it; then a market order.
    case stop(Double)
    /// Triggers as a stop, then fills as a limit.
    case stopLimit(stop: Double, limit: Double)
    /// A stop whose level follows the best close since the order became active.
    case trailingStop(TrailDistance)
}

/// How long an order works.
public enum TimeInForce: String, Sendable, Hashable, Codable {
    /// The first bar on which it can fill only (for a market-on-close placed in `beforeClose`, that close);
    /// what is left after that bar is cancelled.
    case day
    /// Until filled or cancelled.
    case goodTillCancelled
}

/// A stop-loss or take-profit level attached to an entry.
public enum ExitLevel: Sendable, Hashable, Codable {
    /// An absolute price.
    case price(Double)
    /// A fraction of the entry's fill price (0.05 = 5 % below a long entry for a stop-loss, above for a
    /// take-profit; mirrored for a short).
    case percent(Double)
    /// A price distance from the entry's fill price.
    case amount(Double)
}

/// An instruction to trade one symbol.
///
/// An entry with `stopLoss` and/or `takeProfit` is a bracket: each fill of the entry creates (or grows) a stop
/// and a limit order for the filled quantity on the other side, good till cancelled, active from the bar after
/// the fill, in one one-cancels-other group. Orders sharing an `ocoGroup` are cancelled as soon as one of them
/// fills (any quantity).
public struct Order: Sendable, Hashable {
    /// Index of the symbol in `MarketBars.symbols`.
    public var symbol: Int
    public var side: Side
    public var size: Sizing
    public var type: OrderType
    public var timeInForce: TimeInForce
    public var stopLoss: ExitLevel?
    public var takeProfit: ExitLevel?
    public var ocoGroup: Int?

    public init(
        symbol: Int, side: Side = .buy, size: Sizing, type: OrderType = .market, timeInForce: TimeInForce = .goodTillCancelled,
        stopLoss: ExitLevel? = nil, takeProfit: ExitLevel? = nil, ocoGroup: Int? = nil
    ) {
        self.symbol = symbol
        self.side = side
        self.size = size
        self.type = type
        self.timeInForce = timeInForce
        self.stopLoss = stopLoss
        self.takeProfit = takeProfit
        self.ocoGroup = ocoGroup
    }

    /// A market order to bring the position to `percent` of equity (1 = all in, 0 = flat, −1 = all short).
    public static func target(_ symbol: Int, percent: Double, type: OrderType = .market) -> Order {
        Order(symbol: symbol, size: .targetPercent(percent), type: type)
    }

    /// The kind of order as recorded in fills (`"market"`, `"limit"`, …).
    public var typeName: String { type.name }
}

extension OrderType {
    var name: String { kind.name }

    var isMarketOnClose: Bool {
        if case .marketOnClose = self { return true }
        return false
    }

    var kind: OrderKind {
        switch self {
        case .market: .market
        case .marketOnOpen: .marketOnOpen
        case .marketOnClose: .marketOnClose
        case .limit: .limit
        case .stop: .stop
        case .stopLimit: .stopLimit
        case .trailingStop: .trailingStop
        }
    }
}
