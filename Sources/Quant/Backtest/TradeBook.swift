/// Fills and FIFO round trips of one run. Lots are matched first-in first-out per symbol; a fill that closes
/// more than the open lots opens a new lot in its own direction with the rest.
///
/// During a run only the trade statistics are accumulated (`summary`); the trades themselves, with their
/// MAE/MFE, are rebuilt by replaying the fill log through a book that keeps them (`keepTrades`) when
/// `BacktestResult.trades` is read. Both paths run the same matching code, so they agree exactly.
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
    var fills = RecordLog<FillRecord>()
    var trades = RecordLog<TradeRecord>()
    /// The oldest open lot per symbol (quantity 0: none); the flat array keeps the common case — at most one
    /// open lot — off nested arrays.
    var front: [Lot]
    /// Younger open lots per symbol, oldest first from `restHeads[symbol]`; empty whenever `front` is.
    var rest: [[Lot]]
    var restHeads: [Int]
    var tradedValue = 0.0
    var totalFees = 0.0
    let keepTrades: Bool
    var summary = TradeSummary()

    init(bars: MarketBars, keepTrades: Bool = false) {
        self.bars = bars
        self.keepTrades = keepTrades
        front = [Lot](repeating: Lot(quantity: 0, price: 0, bar: 0, point: .open, feePerShare: 0), count: bars.symbols.count)
        rest = [[Lot]](repeating: [], count: bars.symbols.count)
        restHeads = [Int](repeating: 0, count: bars.symbols.count)
    }

    mutating func record(
        symbol s: Int, bar t: Int, side: Side, quantity q: Double, price: Double, fee: Double, slippage: Double, order: OrderID,
        kind: OrderKind, point: FillPoint
    ) {
        fills.append(
            FillRecord(
                bar: Int32(t), symbol: Int32(s), side: side, point: point, kind: kind, orderID: order, quantity: q, price: price,
                fee: fee, slippage: slippage))
        tradedValue += q * price
        totalFees += fee
        match(symbol: s, bar: t, side: side, quantity: q, price: price, fee: fee, point: point)
    }

    /// Matches one fill against the symbol's open lots.
    mutating func match(symbol s: Int, bar t: Int, side: Side, quantity q: Double, price: Double, fee: Double, point: FillPoint) {
        let feePerShare = fee / q
        var remaining = q
        let sign = side.sign
        while remaining > 0, front[s].quantity * sign < 0 {
            let lot = front[s]
            let closed = Swift.min(remaining, lot.quantity.magnitude)
            if keepTrades {
                trades.append(
                    trade(
                        symbol: s, lot: lot, quantity: closed, exitBar: t, exitPrice: price, exitPoint: point,
                        exitFees: closed * feePerShare, isOpen: false))
            } else {
                // The same arithmetic as `TradeRecord.pnl` and `.returnFraction`.
                let fees = closed * lot.feePerShare + closed * feePerShare
                let pnl = (lot.quantity > 0 ? 1.0 : -1.0) * (price - lot.price) * closed - fees
                summary.add(pnl: pnl, returnFraction: pnl / (lot.price * closed))
            }
            remaining -= closed
            if closed < lot.quantity.magnitude {
                front[s].quantity += sign * closed
            } else if restHeads[s] < rest[s].count {
                front[s] = rest[s][restHeads[s]]
                restHeads[s] += 1
                if restHeads[s] == rest[s].count {
                    rest[s].removeAll(keepingCapacity: true)
                    restHeads[s] = 0
                }
            } else {
                front[s].quantity = 0
            }
        }
        if remaining > 0 {
            let lot = Lot(quantity: sign * remaining, price: price, bar: t, point: point, feePerShare: feePerShare)
            if front[s].quantity == 0 { front[s] = lot } else { rest[s].append(lot) }
        }
    }

    /// Number of lots still open.
    var openLotCount: Int {
        var count = 0
        for s in front.indices where front[s].quantity != 0 { count += 1 + rest[s].count - restHeads[s] }
        return count
    }

    /// Every trade of a run, rebuilt from its fill log: closed ones in the order they closed, then the open ones.
    static func replay(_ fills: RecordLog<FillRecord>, bars: MarketBars) -> [TradeRecord] {
        var book = TradeBook(bars: bars, keepTrades: true)
        fills.forEach { f in
            book.match(symbol: Int(f.symbol), bar: Int(f.bar), side: f.side, quantity: f.quantity, price: f.price, fee: f.fee, point: f.point)
        }
        book.appendOpenTrades()
        return book.trades.elements
    }

    /// Appends the open lots as open trades at the last bar's close.
    mutating func appendOpenTrades() {
        let last = bars.dateCount - 1
        for s in front.indices where front[s].quantity != 0 {
            for lot in [front[s]] + rest[s][restHeads[s]...] {
                let price = bars.close[s * bars.dateCount + last]
                trades.append(
                    trade(symbol: s, lot: lot, quantity: lot.quantity.magnitude, exitBar: last, exitPrice: price, exitPoint: .close, exitFees: 0, isOpen: true))
            }
        }
    }

    private func trade(
        symbol s: Int, lot: Lot, quantity: Double, exitBar: Int, exitPrice: Double, exitPoint: FillPoint, exitFees: Double, isOpen: Bool
    ) -> TradeRecord {
        let direction: Side = lot.quantity > 0 ? .buy : .sell
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
        return TradeRecord(
            symbol: Int32(s), entryBar: Int32(lot.bar), exitBar: Int32(exitBar), direction: direction, isOpen: isOpen,
            quantity: quantity, entryPrice: lot.price, exitPrice: exitPrice, fees: quantity * lot.feePerShare + exitFees, mae: mae, mfe: mfe)
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

/// A fill as the engine stores it (56 bytes, no strings); `fill(in:)` gives the public record.
struct FillRecord: Sendable, Hashable {
    let bar: Int32, symbol: Int32
    let side: Side, point: FillPoint, kind: OrderKind
    let orderID: OrderID
    let quantity: Double, price: Double, fee: Double, slippage: Double

    func fill(in bars: MarketBars) -> Fill {
        Fill(
            date: bars.dates[Int(bar)], bar: Int(bar), symbol: bars.symbols[Int(symbol)], side: side, quantity: quantity, price: price,
            fee: fee, slippage: slippage, orderID: orderID, orderType: kind.name, point: point)
    }
}

/// A trade as the engine stores it (64 bytes); `trade(in:)` derives P&L, return and durations.
struct TradeRecord: Sendable, Hashable {
    let symbol: Int32, entryBar: Int32, exitBar: Int32
    let direction: Side, isOpen: Bool
    let quantity: Double, entryPrice: Double, exitPrice: Double, fees: Double, mae: Double, mfe: Double

    var pnl: Double { direction.sign * (exitPrice - entryPrice) * quantity - fees }
    var returnFraction: Double { pnl / (entryPrice * quantity) }

    func trade(in bars: MarketBars) -> Trade {
        let entry = Int(entryBar), exit = Int(exitBar)
        return Trade(
            symbol: bars.symbols[Int(symbol)], direction: direction, quantity: quantity, entryDate: bars.dates[entry], entryBar: entry,
            entryPrice: entryPrice, exitDate: bars.dates[exit], exitBar: exit, exitPrice: exitPrice, isOpen: isOpen, pnl: pnl,
            fees: fees, returnFraction: returnFraction, durationBars: exit - entry, durationDays: bars.days[exit] - bars.days[entry],
            mae: mae, mfe: mfe)
    }
}

/// The kind of an order, one byte, for fill records.
enum OrderKind: UInt8, Sendable, Hashable {
    case market, marketOnOpen, marketOnClose, limit, stop, stopLimit, trailingStop

    var name: String {
        switch self {
        case .market: "market"
        case .marketOnOpen: "market-on-open"
        case .marketOnClose: "market-on-close"
        case .limit: "limit"
        case .stop: "stop"
        case .stopLimit: "stop-limit"
        case .trailingStop: "trailing-stop"
        }
    }
}

/// An append-only log in fixed chunks: appending never copies what is already stored and touches each page
/// once (a doubling array copies and re-faults its whole content at every growth).
struct RecordLog<Element> {
    private static var chunkSize: Int { 32_768 }
    private var full: [[Element]] = []
    private var current: [Element] = []
    private(set) var count = 0

    @inline(__always)
    mutating func append(_ element: Element) {
        if current.count == Self.chunkSize {
            full.append(current)
            current = []
        }
        if current.isEmpty { current.reserveCapacity(Self.chunkSize) }
        current.append(element)
        count += 1
    }

    var last: Element? { current.last }

    /// The elements in order, as one array.
    var elements: [Element] {
        var all: [Element] = []
        all.reserveCapacity(count)
        for chunk in full { all.append(contentsOf: chunk) }
        all.append(contentsOf: current)
        return all
    }

    func forEach(_ body: (Element) -> Void) {
        for chunk in full { for element in chunk { body(element) } }
        for element in current { body(element) }
    }
}

extension RecordLog: Sendable where Element: Sendable {}

/// Closed trades' statistics accumulated one trade at a time (Welford's update for the spread of returns).
struct TradeSummary: Sendable, Hashable {
    var count = 0, wins = 0, losses = 0
    var grossProfit = 0.0, grossLoss = 0.0, pnlSum = 0.0, returnSum = 0.0
    var best = -Double.infinity, worst = Double.infinity
    var mean = 0.0, m2 = 0.0

    @inline(__always)
    mutating func add(pnl: Double, returnFraction r: Double) {
        count += 1
        pnlSum += pnl
        returnSum += r
        best = Swift.max(best, r)
        worst = Swift.min(worst, r)
        if pnl > 0 {
            wins += 1
            grossProfit += pnl
        } else if pnl < 0 {
            losses += 1
            grossLoss -= pnl
        }
        let delta = r - mean
        mean += delta / Double(count)
        m2 += delta * (r - mean)
    }
}
