/// One execution.
public struct Fill: Sendable, Hashable, Codable {
    public let date: String
    /// Index of the bar in `MarketBars.dates`.
    public let bar: Int
    public let symbol: String
    public let side: Side
    /// Shares filled (> 0).
    public let quantity: Double
    /// Execution price per share, slippage included.
    public let price: Double
    /// Commission in money.
    public let fee: Double
    /// Slippage cost in money (`quantity × slippage per share`, ≥ 0), already inside `price`.
    public let slippage: Double
    public let orderID: OrderID
    /// `"market"`, `"limit"`, `"stop"`, `"stop-limit"`, `"trailing-stop"`, `"market-on-open"`, `"market-on-close"`.
    public let orderType: String
    public let point: FillPoint
}

/// A round trip in one symbol, matched first-in first-out; an open trade runs to the last bar.
public struct Trade: Sendable, Hashable, Codable {
    public let symbol: String
    /// `.buy` for a long trade, `.sell` for a short one.
    public let direction: Side
    public let quantity: Double
    public let entryDate: String
    public let entryBar: Int
    /// Entry fill price (slippage included).
    public let entryPrice: Double
    /// Exit date, or the last date for an open trade.
    public let exitDate: String
    public let exitBar: Int
    /// Exit fill price, or the last close for an open trade.
    public let exitPrice: Double
    /// Still open at the end (its P&L is unrealised and carries only the entry fee).
    public let isOpen: Bool
    /// `direction.sign × (exitPrice − entryPrice) × quantity − fees`.
    public let pnl: Double
    /// The share of the entry and exit fills' fees that belongs to this trade (pro rata by quantity).
    public let fees: Double
    /// `pnl / (entryPrice × quantity)`.
    public let returnFraction: Double
    /// `exitBar − entryBar`.
    public let durationBars: Int
    /// Calendar days from entry date to exit date.
    public let durationDays: Int
    /// Maximum adverse excursion as a fraction of the entry price (≤ 0): the worst price seen while open
    /// (lowest low for a long, highest high for a short), see docs/backtesting.md for which bars count.
    public let mae: Double
    /// Maximum favourable excursion (≥ 0), the best price seen while open.
    public let mfe: Double
}

/// An order, or part of one, that the engine would not execute.
public struct Refusal: Sendable, Hashable, Codable {
    public enum Reason: String, Sendable, Hashable, Codable {
        /// The cost plus fee of the fill exceeds the cash (or a budget size left less than one share / nothing).
        case insufficientCash
        /// The fill would open or grow a short position while `allowShort` is off.
        case shortNotAllowed
        /// The order itself is invalid (unknown symbol, non-positive or non-finite size or price).
        case invalidOrder
        /// Whole shares only and the order is for less than one share.
        case belowOneShare
    }

    public let date: String
    public let bar: Int
    public let symbol: String
    public let orderID: OrderID
    public let reason: Reason
    /// What was asked and what was available, for people.
    public let detail: String
}

/// An order still working, as the strategy sees it.
public struct OpenOrder: Sendable, Hashable {
    public let id: OrderID
    public internal(set) var order: Order
    /// Shares filled so far.
    public internal(set) var filled: Double
    /// Id of the entry this stop-loss/take-profit belongs to, if it is a bracket's child.
    public let parent: OrderID?
    /// First bar on which the order may fill.
    let activeFrom: Int
    /// A market order placed in `beforeClose`: it fills at that bar's close.
    let atClose: Bool
    /// Shares of a `.value`/`.percentOfEquity` order, fixed at its first fill.
    var resolved: Double?
    /// A stop-limit whose stop has been reached.
    var triggered = false
    /// A trailing stop's best close so far.
    var bestClose: Double
    /// Filled, cancelled or refused; removed at the next compaction.
    var done = false
}
