import Foundation

/// The accounting state after some prefix of a ledger, in exact arithmetic `N`.
///
/// Sign conventions: `cash` and `netContributions` are signed sums; income, fees, taxes and trade fees are
/// positive totals. See ``Holdings`` for the identity these figures satisfy.
struct Book<N: LedgerNumber>: Sendable {
    struct PositionState: Sendable {
        var lots = LotQueue<N>()
        var realized = N.zero
        var dividends = N.zero
        /// The last BUY/SELL/TRANSFER price, divided by later split ratios: the fallback when no close exists.
        var lastPrice: Decimal?
    }

    let method: CostMethod
    var positions: [PositionState]
    var cash = N.zero
    var netContributions = N.zero
    var realized = N.zero
    var transferredOutGain = N.zero
    var dividends = N.zero
    var interest = N.zero
    var fees = N.zero
    var taxes = N.zero
    var tradeFees = N.zero

    init(symbolCount: Int, method: CostMethod) {
        self.method = method
        positions = Array(repeating: PositionState(), count: symbolCount)
    }

    mutating func apply(_ row: Ledger.Row<N>) throws(LedgerOverflow) {
        cash = try cash.plus(row.cash)
        netContributions = try netContributions.plus(row.flow)
        let s = row.symbol
        switch row.type {
        case .deposit, .withdrawal:
            break
        case .buy:
            try positions[s].lots.open(day: row.day, quantity: row.quantity, cost: row.cash.negated, method: method)
            tradeFees = try tradeFees.plus(row.fee)
            positions[s].lastPrice = row.priceDecimal
        case .transferIn:
            try positions[s].lots.open(day: row.day, quantity: row.quantity, cost: row.flow, method: method)
            positions[s].lastPrice = row.priceDecimal
        case .sell:
            let cost = try positions[s].lots.consume(row.quantity)
            let gain = try row.cash.minus(cost)
            positions[s].realized = try positions[s].realized.plus(gain)
            realized = try realized.plus(gain)
            tradeFees = try tradeFees.plus(row.fee)
            positions[s].lastPrice = row.priceDecimal
        case .transferOut:
            let cost = try positions[s].lots.consume(row.quantity)
            transferredOutGain = try transferredOutGain.plus(row.flow.negated.minus(cost))
            positions[s].lastPrice = row.priceDecimal
        case .split:
            try positions[s].lots.split(row.quantity)
            if let p = positions[s].lastPrice { positions[s].lastPrice = p / row.quantity.decimal }
        case .dividend:
            let gross = try row.quantity.times(row.price)
            dividends = try dividends.plus(gross)
            positions[s].dividends = try positions[s].dividends.plus(gross)
            fees = try fees.plus(row.fee)
        case .interest:
            interest = try interest.plus(row.quantity.times(row.price))
            fees = try fees.plus(row.fee)
        case .fee:
            fees = try fees.plus(row.fee)
        case .tax:
            taxes = try taxes.plus(row.fee)
        }
    }

    /// The Decimal report of this state on `date`, valuing each position at `close(symbol)` (or its fallback).
    func holdings(date: LocalDate, symbols: [String], close: (Int) -> Decimal?) throws(LedgerOverflow) -> Holdings {
        var positionsOut: [Position] = []
        var lots: [Lot] = []
        var unrealized = N.zero
        var value = cash
        for (i, state) in positions.enumerated() {
            let q = state.lots.quantity
            guard !q.isZero || !state.realized.isZero || !state.dividends.isZero else { continue }
            let price = q.isZero ? nil : (close(i) ?? state.lastPrice)
            var market = N.zero
            if let price {
                guard let p = N(exactly: price) else { throw LedgerOverflow() }
                market = try q.times(p)
            }
            let gain = try market.minus(state.lots.cost)
            unrealized = try unrealized.plus(gain)
            value = try value.plus(market)
            positionsOut.append(Position(
                symbol: symbols[i], quantity: q.decimal, costBasis: state.lots.cost.decimal, close: price, marketValue: market.decimal,
                realized: state.realized.decimal, unrealized: gain.decimal, dividends: state.dividends.decimal, weight: 0))
            for lot in state.lots.openLots {
                lots.append(Lot(symbol: symbols[i], acquired: LocalDate(daysSinceEpoch: lot.day), quantity: lot.quantity.decimal, cost: lot.cost.decimal))
            }
        }
        let total = value.double
        for i in positionsOut.indices {
            positionsOut[i].weight = total == 0 ? 0 : NSDecimalNumber(decimal: positionsOut[i].marketValue).doubleValue / total
        }
        return Holdings(
            date: date, cash: cash.decimal, cashWeight: total == 0 ? 0 : cash.double / total, positions: positionsOut, lots: lots,
            value: value.decimal, netContributions: netContributions.decimal, realized: realized.decimal, unrealized: unrealized.decimal,
            transferredOutGain: transferredOutGain.decimal, dividends: dividends.decimal, interest: interest.decimal, fees: fees.decimal,
            taxes: taxes.decimal, tradeFees: tradeFees.decimal)
    }
}
