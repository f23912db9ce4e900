import Foundation

/// Options of ``Rebalancer/plan(holdings:prices:cash:targets:cashTarget:options:)``.
public struct RebalanceOptions: Sendable, Hashable {
    /// Trade whole shares only (the exact integer optimum); otherwise fractional shares (the continuous optimum).
    public var wholeShares: Bool
    /// A trade worth less than this (|shares| · price) is not allowed: a symbol is either not traded or by at least this much.
    public var minTrade: Decimal
    /// A fixed fee paid in cash for every symbol traded.
    public var feePerTrade: Decimal
    /// Cash that must remain after the trades and their fees.
    public var cashReserve: Decimal
    /// Buy only: spend the cash, never sell.
    public var investNewCashOnly: Bool

    public init(wholeShares: Bool = true, minTrade: Decimal = 0, feePerTrade: Decimal = 0, cashReserve: Decimal = 0, investNewCashOnly: Bool = false) {
        self.wholeShares = wholeShares
        self.minTrade = minTrade
        self.feePerTrade = feePerTrade
        self.cashReserve = cashReserve
        self.investNewCashOnly = investNewCashOnly
    }
}

/// The trades that bring a portfolio closest to its target weights.
public struct RebalancePlan: Sendable, Hashable {
    public struct Trade: Sendable, Hashable {
        public var symbol: String
        /// Shares bought (positive) or sold (negative).
        public var quantity: Decimal
        /// `quantity · price`.
        public var value: Decimal

        public init(symbol: String, quantity: Decimal, value: Decimal) {
            self.symbol = symbol
            self.quantity = quantity
            self.value = value
        }
    }

    /// Non-zero trades, by symbol.
    public var trades: [Trade]
    /// Quantities after the trades, by symbol (every symbol held or targeted).
    public var holdings: [String: Decimal]
    /// `cash − Σ trade values − fees`.
    public var cash: Decimal
    public var fees: Decimal
    /// Weights after the trades over the value after fees.
    public var weights: [String: Double]
    public var cashWeight: Double
    /// `Σ (weight − target)²` over symbols and cash.
    public var objective: Double
    /// `Σ |quantity|` over the trades.
    public var sharesTraded: Decimal
}

/// Rebalancing to target weights, minimising `Σ_i (w_i − t_i)² + (w_cash − t_cash)²` after the trades, with
/// holdings ≥ 0 and cash ≥ the reserve.
///
/// Method (exact for whole shares, up to ties within 1e-12 in `Double`): the feasible set is split into cells by
/// what each symbol does — hold, buy at least the minimum trade, or sell at least it. In a cell the value after
/// fees `W'` is fixed, so the objective is a convex quadratic in the share counts over a box and one budget
/// constraint. Each cell is searched depth-first, one symbol at a time; a node's bound is the continuous optimum
/// of the symbols not yet fixed (solved exactly through its KKT conditions: `y_i = clamp(t_i + δ)`), which is a
/// valid lower bound for every completion. Because that bound is a convex function of the share count being
/// fixed, with its minimum at the relaxed solution, the search walks outwards from it in both directions and
/// stops in a direction at the first count whose bound exceeds the best objective found: every count further
/// out is bounded at least as high. Cells are visited in order of their bound. Ties go to fewer shares traded.
/// With no fee and no minimum trade there is one cell; otherwise there are up to 3ⁿ, so n ≤ 10 then.
public enum Rebalancer {
    /// Plans the trades. `targets` and `cashTarget` are weights summing to exactly 1; a held symbol without a
    /// target has target 0. Every held or targeted symbol needs a positive price.
    public static func plan(
        holdings: [String: Decimal], prices: [String: Decimal], cash: Decimal, targets: [String: Decimal], cashTarget: Decimal,
        options: RebalanceOptions = RebalanceOptions()
    ) throws(QuantError) -> RebalancePlan {
        let symbols = Set(holdings.keys).union(targets.keys).sorted()
        guard targets.values.reduce(cashTarget, +) == 1 else {
            throw QuantError.invalidParameter("targets", targets.values.reduce(cashTarget, +), "target weights and the cash weight must sum to 1")
        }
        guard cashTarget >= 0, targets.values.allSatisfy({ $0 >= 0 }) else { throw QuantError.invalidParameter("targets", "negative", "weights must not be negative") }
        for s in symbols {
            guard let p = prices[s], p > 0 else { throw QuantError.invalidParameter("prices[\(s)]", prices[s].map { "\($0)" } ?? "missing", "must be positive") }
            guard holdings[s] ?? 0 >= 0 else { throw QuantError.invalidParameter("holdings[\(s)]", holdings[s]!, "must not be negative") }
        }
        guard options.minTrade >= 0, options.feePerTrade >= 0, options.cashReserve >= 0 else {
            throw QuantError(.invalidParameter, "minTrade, feePerTrade and cashReserve must not be negative")
        }
        let d = { (x: Decimal) in NSDecimalNumber(decimal: x).doubleValue }
        var problem = RebalanceProblem(
            prices: symbols.map { d(prices[$0]!) }, holdings: symbols.map { d(holdings[$0] ?? 0) }, targets: symbols.map { d(targets[$0] ?? 0) },
            cashTarget: d(cashTarget), cash: d(cash), fee: d(options.feePerTrade), minTrade: d(options.minTrade),
            reserve: d(options.cashReserve), whole: options.wholeShares, buyOnly: options.investNewCashOnly)
        guard problem.fee == 0 && problem.minTrade == 0 || symbols.count <= 10 else {
            throw QuantError.invalidParameter("symbols", symbols.count, "at most 10 with a fee or a minimum trade (the exact search visits up to 3^n cells)")
        }
        guard let best = problem.solve() else {
            throw QuantError(.invalidParameter, "no plan keeps cash at or above the reserve; the current portfolio already breaks it")
        }
        var trades: [RebalancePlan.Trade] = []
        var after: [String: Decimal] = [:]
        var cashAfter = cash
        var shares: Decimal = 0
        for (i, s) in symbols.enumerated() {
            let q = options.wholeShares ? Decimal(Int(best.deltas[i].rounded())) : Decimal(best.deltas[i])
            after[s] = (holdings[s] ?? 0) + q
            guard !q.isZero else { continue }
            let value = q * prices[s]!
            trades.append(RebalancePlan.Trade(symbol: s, quantity: q, value: value))
            cashAfter -= value
            shares += q < 0 ? -q : q
        }
        let fees = options.feePerTrade * Decimal(trades.count)
        cashAfter -= fees
        let total = d(cashAfter) + symbols.reduce(0.0) { $0 + d(after[$1]!) * d(prices[$1]!) }
        var weights: [String: Double] = [:]
        for s in symbols { weights[s] = total > 0 ? d(after[s]!) * d(prices[s]!) / total : 0 }
        return RebalancePlan(
            trades: trades, holdings: after, cash: cashAfter, fees: fees, weights: weights, cashWeight: total > 0 ? d(cashAfter) / total : 0,
            objective: best.objective, sharesTraded: shares)
    }
}
