/// Fills and FIFO round trips of one run. Lots are matched first-in first-out per symbol; a fill that closes
/// more than the open lots opens a new lot in its own direction with the rest.
struct TradeBook {
    struct Lot {
        var quantity: Double  // signed
        let price: Double
        let bar: Int
        let point: FillPoint
        /// Entry fee per share.
        let feePerShare: Double
    }

    let bars: MarketBars
    var fills: [Fill] = []
    var trades: [Trade] = []
    /// Open lots per symbol, oldest first from `heads[symbol]`.
    var lots: [[Lot]]
    var heads: [Int]
    var tradedValue = 0.0
    var totalFees = 0.0

    init(bars: MarketBars) {
        self.bars = bars
        lots = [[Lot]](repeating: [], count: bars.symbols.count)
        heads = [Int](repeating: 0, count: bars.symbols.count)
    }

    mutating func record(
        symbol s: Int, bar t: Int, side: Side, quantity q: Double, price: Double, fee: Double, slippage: Double, order: OrderID,
        type: String, point: FillPoint
    ) {
        fills.append(
            Fill(
                date: bars.dates[t], bar: t, symbol: bars.symbols[s], side: side, quantity: q, price: price, fee: fee,
                slippage: slippage, orderID: order, orderType: type, point: point))
        tradedValue += q * price
        totalFees += fee
        let feePerShare = fee / q
        var remaining = q
        let sign = side.sign
        while remaining > 0, heads[s] < lots[s].count, lots[s][heads[s]].quantity * sign < 0 {
            let lot = lots[s][heads[s]]
            let closed = Swift.min(remaining, lot.quantity.magnitude)
            trades.append(
                trade(
                    symbol: s, lot: lot, quantity: closed, exitBar: t, exitPrice: price, exitPoint: point,
                    exitFees: closed * feePerShare, isOpen: false))
            remaining -= closed
            if closed >= lot.quantity.magnitude {
                heads[s] += 1
            } else {
                lots[s][heads[s]].quantity += sign * closed
            }
        }
        if heads[s] == lots[s].count, heads[s] > 0 {
            lots[s].removeAll(keepingCapacity: true)
            heads[s] = 0
        }
        if remaining > 0 {
            lots[s].append(Lot(quantity: sign * remaining, price: price, bar: t, point: point, feePerShare: feePerShare))
        }
    }

    /// Open lots as open trades at the last bar's close.
    func openTrades() -> [Trade] {
        let last = bars.dateCount - 1
        var open: [Trade] = []
        for s in lots.indices {
            for lot in lots[s][heads[s]...] {
                let price = bars.close[s * bars.dateCount + last]
                open.append(
                    trade(symbol: s, lot: lot, quantity: lot.quantity.magnitude, exitBar: last, exitPrice: price, exitPoint: .close, exitFees: 0, isOpen: true))
            }
        }
        return open
    }

    private func trade(
        symbol s: Int, lot: Lot, quantity: Double, exitBar: Int, exitPrice: Double, exitPoint: FillPoint, exitFees: Double, isOpen: Bool
    ) -> Trade {
        let direction: Side = lot.quantity > 0 ? .buy : .sell
        let fees = quantity * lot.feePerShare + exitFees
        let pnl = direction.sign * (exitPrice - lot.price) * quantity - fees
        let (worst, best) = excursions(
            symbol: s, direction: direction, entryBar: lot.bar, entryPrice: lot.price, entryPoint: lot.point, exitBar: exitBar,
            exitPrice: exitPrice, exitPoint: exitPoint)
        let mae: Double, mfe: Double
        if direction == .buy {
            mae = Swift.min(worst / lot.price - 1, 0)
            mfe = Swift.max(best / lot.price - 1, 0)
        } else {
            mae = Swift.min(1 - worst / lot.price, 0)
            mfe = Swift.max(1 - best / lot.price, 0)
        }
        return Trade(
            symbol: bars.symbols[s], direction: direction, quantity: quantity, entryDate: bars.dates[lot.bar], entryBar: lot.bar,
            entryPrice: lot.price, exitDate: bars.dates[exitBar], exitBar: exitBar, exitPrice: exitPrice, isOpen: isOpen, pnl: pnl,
            fees: fees, returnFraction: pnl / (lot.price * quantity), durationBars: exitBar - lot.bar,
            durationDays: bars.days[exitBar] - bars.days[lot.bar], mae: mae, mfe: mfe)
    }

    /// Worst and best price while the position was open: the entry and exit prices, every bar strictly between,
    /// the entry bar when the entry filled at its open, the exit bar when the exit filled at its close (and the
    /// bar itself when entry and exit share a bar only if entry was at the open and exit at the close).
    /// Bars without a trade of the symbol do not count.
    func excursions(
        symbol s: Int, direction: Side, entryBar: Int, entryPrice: Double, entryPoint: FillPoint, exitBar: Int, exitPrice: Double,
        exitPoint: FillPoint
    ) -> (worst: Double, best: Double) {
        var lowest = Swift.min(entryPrice, exitPrice), highest = Swift.max(entryPrice, exitPrice)
        let first = entryPoint == .open ? entryBar : entryBar + 1
        let last = exitPoint == .close ? exitBar : exitBar - 1
        let base = s * bars.dateCount
        if first <= last {
            for t in first...last where bars.hasBar[base + t] {
                lowest = Swift.min(lowest, bars.low[base + t])
                highest = Swift.max(highest, bars.high[base + t])
            }
        }
        return direction == .buy ? (lowest, highest) : (highest, lowest)
    }
}
