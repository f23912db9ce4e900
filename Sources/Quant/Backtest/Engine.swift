/// The mutable state of one run and the order execution rules. A value type: no per-bar or per-order
/// allocation beyond the arrays of records that the result returns.
struct Engine {
    var context: StrategyContext
    var book: TradeBook
    let bars: MarketBars
    let settings: BacktestSettings
    /// `(rate, fixed)` when the fee model is linear in notional: the common case, without walking the enum.
    private let linearFee: (rate: Double, fixed: Double)?
    /// Orders that can fill in the current pass: sells, executed first, then buys (kept for their capacity).
    private var sellBuffer: [(index: Int, price: Double, point: FillPoint)] = []
    private var deferred: [(index: Int, price: Double, point: FillPoint)] = []

    init(bars: MarketBars, settings: BacktestSettings) {
        self.bars = bars
        self.settings = settings
        context = StrategyContext(bars: bars, settings: settings)
        book = TradeBook(bars: bars)
        linearFee = settings.fees.linear
    }

    @inline(__always)
    private func fee(_ quantity: Double, _ price: Double) -> Double {
        if let linearFee { return linearFee.rate * quantity * price + linearFee.fixed }
        return settings.fees.fee(quantity: quantity, price: price)
    }

    /// Fills the active orders that can fill at `point` of bar `t` (`.intraday` covers the open and the bar's
    /// range; `.close` the market-on-close orders and market orders placed in `beforeClose`). Within a pass
    /// sells execute before buys, each group in submission order, so that a rebalance can pay for its buys.
    mutating func execute(at point: FillPoint) {
        let t = context.bar, n = bars.dateCount
        // The scan reads orders in place (an order is ~180 bytes: no copies) and only lists what can fill.
        var sells = sellBuffer, buys = deferred
        sellBuffer = []
        deferred = []
        sells.removeAll(keepingCapacity: true)
        buys.removeAll(keepingCapacity: true)
        var triggered: [Int] = []
        let closePass = point == .close
        context.openOrders.withUnsafeBufferPointer { orders in
            for i in orders.indices {
                if orders[i].done || orders[i].activeFrom > t { continue }
                let k = orders[i].order.symbol * n + t
                guard bars.hasBar[k] else { continue }
                let type = orders[i].order.type, atClose = orders[i].atClose
                guard (type.isMarketOnClose || atClose) == closePass else { continue }
                let side = orders[i].order.side
                var found: (price: Double, point: FillPoint)?
                switch type {
                case .market: found = atClose ? (bars.close[k], .close) : (bars.open[k], .open)
                case .marketOnOpen: found = (bars.open[k], .open)
                case .marketOnClose: found = (bars.close[k], .close)
                case .limit(let limit): found = FillRules.limit(side, limit: limit, bar: barPrices(k))
                case .stop(let stop): found = FillRules.stop(side, stop: stop, bar: barPrices(k))
                case .stopLimit(let stop, let limit):
                    if orders[i].triggered {
                        found = FillRules.limit(side, limit: limit, bar: barPrices(k))
                    } else {
                        let result = FillRules.stopLimit(side, stop: stop, limit: limit, bar: barPrices(k))
                        if result.triggered { triggered.append(i) }
                        found = result.fill
                    }
                case .trailingStop(let distance):
                    let best = orders[i].bestClose
                    if !best.isNaN {
                        found = FillRules.stop(side, stop: FillRules.trailingLevel(side, bestClose: best, distance: distance), bar: barPrices(k))
                    }
                }
                guard let found else { continue }
                if direction(of: orders[i], price: found.price) == .sell {
                    sells.append((i, found.price, found.point))
                } else {
                    buys.append((i, found.price, found.point))
                }
            }
        }
        for i in triggered { context.openOrders[i].triggered = true }
        for entry in sells where !context.openOrders[entry.index].done {
            fill(entry.index, price: entry.price, point: entry.point)
        }
        for entry in buys where !context.openOrders[entry.index].done {
            fill(entry.index, price: entry.price, point: entry.point)
        }
        sellBuffer = sells
        deferred = buys
        compact()
    }

    @inline(__always)
    private func barPrices(_ k: Int) -> BarPrices {
        BarPrices(open: bars.open[k], high: bars.high[k], low: bars.low[k], close: bars.close[k])
    }

    /// After the close of bar `t`: trailing stops take in `t`'s close (after `t`'s fills were checked), day
    /// orders that were active on `t` expire.
    mutating func endOfBar() {
        let t = context.bar, n = bars.dateCount
        for i in context.openOrders.indices where !context.openOrders[i].done {
            let o = context.openOrders[i]
            guard o.activeFrom <= t else { continue }
            if o.order.timeInForce == .day {
                context.openOrders[i].done = true
                continue
            }
            if case .trailingStop = o.order.type, bars.hasBar[o.order.symbol * n + t] {
                let c = bars.close[o.order.symbol * n + t]
                let best = o.bestClose
                if best.isNaN || (o.order.side == .sell ? c > best : c < best) { context.openOrders[i].bestClose = c }
            }
        }
        compact()
    }

    /// `liquidateAtEnd`: closes every position at the last bar's close (fees and slippage apply, no cash check).
    mutating func liquidate() {
        let t = context.bar
        for s in context.positions.indices where context.positions[s] != 0 {
            let q = context.positions[s]
            let id = context.nextID
            context.nextID += 1
            let side: Side = q > 0 ? .sell : .buy
            apply(symbol: s, side: side, quantity: q.magnitude, basePrice: bars.close[s * bars.dateCount + t], order: id,
                  kind: .marketOnClose, point: .close)
        }
    }

    /// Values every position at `price` of the current bar (`openByDate` or `closeByDate`: on a day without a
    /// bar both hold the symbol's last close) and recomputes `holdingsValue`.
    mutating func mark(_ price: KeyPath<MarketBars, [Double]>) {
        let count = bars.symbols.count, row = context.bar * count
        var holdings = 0.0
        let column = bars[keyPath: price]
        context.positions.withUnsafeBufferPointer { q in
            column.withUnsafeBufferPointer { p in
                context.marks.withUnsafeMutableBufferPointer { m in
                    for s in 0..<count {
                        let x = p[row + s]
                        m[s] = x
                        if q[s] != 0 { holdings += q[s] * x }
                    }
                }
            }
        }
        context.holdingsValue = holdings
    }

    private mutating func compact() {
        if context.openOrders.contains(where: { $0.done }) { context.openOrders.removeAll(where: { $0.done }) }
    }

    /// Equity with `symbol` valued at `price` and the other positions at their marks.
    private func equity(symbol s: Int, at price: Double) -> Double {
        context.cash + context.holdingsValue + context.positions[s] * (price - context.marks[s])
    }

    private func direction(of o: OpenOrder, price: Double) -> Side {
        switch o.order.size {
        case .targetPercent, .targetValue:
            return wanted(o, price: price) < 0 ? .sell : .buy
        default: return o.order.side
        }
    }

    /// Signed shares still wanted by `o` at `price`, before any limit (cash, shorting, volume, whole shares).
    private func wanted(_ o: OpenOrder, price: Double) -> Double {
        wanted(o.order.size, o.order.side, symbol: o.order.symbol, filled: o.filled, resolved: o.resolved, price: price)
    }

    private func wanted(_ size: Sizing, _ side: Side, symbol s: Int, filled: Double, resolved: Double?, price: Double) -> Double {
        let sign = side.sign
        switch size {
        case .shares(let x): return sign * (x - filled)
        case .value(let v): return sign * ((resolved ?? v / price) - filled)
        case .percentOfEquity(let f): return sign * ((resolved ?? f * equity(symbol: s, at: price) / price) - filled)
        case .targetPercent(let w): return w * equity(symbol: s, at: price) / price - context.positions[s]
        case .targetValue(let v): return v / price - context.positions[s]
        }
    }

    /// The fields of a working order that a fill needs, read in place (copying the whole ~180-byte order
    /// before every fill stalled on the copy in the profile).
    private struct FillView {
        let id: OrderID, symbol: Int, side: Side, size: Sizing, type: OrderType
        let filled: Double, resolved: Double?, ocoGroup: Int?, isBracketEntry: Bool

        init(_ o: UnsafePointer<OpenOrder>) {
            id = o.pointee.id
            symbol = o.pointee.order.symbol
            side = o.pointee.order.side
            size = o.pointee.order.size
            type = o.pointee.order.type
            filled = o.pointee.filled
            resolved = o.pointee.resolved
            ocoGroup = o.pointee.order.ocoGroup
            isBracketEntry = o.pointee.parent == nil && (o.pointee.order.stopLoss != nil || o.pointee.order.takeProfit != nil)
        }
    }

    private mutating func fill(_ i: Int, price p0: Double, point: FillPoint) {
        let o = context.openOrders.withUnsafeBufferPointer { FillView($0.baseAddress! + i) }
        let s = o.symbol, t = context.bar, k = s * bars.dateCount + t
        let isTarget = o.size.isTarget
        var exact = false
        if case .shares = o.size { exact = true }
        var want = wanted(o.size, o.side, symbol: s, filled: o.filled, resolved: o.resolved, price: p0)
        if o.resolved == nil {
            switch o.size {
            case .value, .percentOfEquity: context.openOrders[i].resolved = want.magnitude
            default: break
            }
        }
        let conditional: Bool
        switch o.type {
        case .market, .marketOnOpen, .marketOnClose: conditional = false
        default: conditional = true
        }
        if isTarget, conditional, want * o.side.sign <= 0 {
            context.openOrders[i].done = true  // the target is already reached in the order's direction
            return
        }
        if !settings.fractionalShares { want = want < 0 ? -(want.magnitude + 1e-9).rounded(.down) : (want + 1e-9).rounded(.down) }
        if want == 0 || want.magnitude < 1e-12 {
            context.openOrders[i].done = true
            if !isTarget { context.refuse(id: o.id, symbol: s, .belowOneShare, "the order is for less than one share") }
            return
        }
        let position = context.positions[s]
        if want < 0, !settings.allowShort, position + want < -1e-12 {
            if exact || position <= 0 {
                context.openOrders[i].done = true
                context.refuse(id: o.id, symbol: s, .shortNotAllowed, "sell \(want.magnitude) with \(position) held and allowShort off")
                return
            }
            want = -position
        }
        var partial = false
        if let cap = settings.volumeCap {
            var maximum = cap * bars.volume[k]
            if !settings.fractionalShares { maximum = maximum.rounded(.down) }
            if maximum <= 0 { return }  // nothing can trade on this bar; the order keeps working
            if want.magnitude > maximum {
                want = want < 0 ? -maximum : maximum
                partial = true
            }
        }
        var quantity = want.magnitude
        let side: Side = want > 0 ? .buy : .sell
        var price = slipped(side, p0, quantity, k)
        var commission = fee(quantity, price)
        if side == .buy {
            let cost = quantity * price + commission
            if !fits(cost) {
                let affordable = exact ? 0 : affordableQuantity(p0, bar: k, upTo: quantity)
                if affordable <= 0 {
                    context.openOrders[i].done = true
                    context.refuse(
                        id: o.id, symbol: s, .insufficientCash, "buy \(quantity) costs \(cost) with \(context.cash) cash")
                    return
                }
                quantity = affordable
                partial = false
                price = slipped(side, p0, quantity, k)
                commission = fee(quantity, price)
            }
        }
        settle(symbol: s, side: side, quantity: quantity, basePrice: p0, price: price, commission: commission, order: o.id, kind: o.type.kind, point: point)
        let filledPrice = price
        if partial { context.openOrders[i].filled += quantity } else { context.openOrders[i].done = true }
        if let group = o.ocoGroup {
            for j in context.openOrders.indices where j != i && context.openOrders[j].order.ocoGroup == group {
                context.openOrders[j].done = true
            }
        }
        if o.isBracketEntry {
            attachBracket(to: context.openOrders[i], side: side, quantity: quantity, price: filledPrice)
        }
    }

    private func slipped(_ side: Side, _ p0: Double, _ quantity: Double, _ k: Int) -> Double {
        let slip = settings.slippage.perShare(quantity: quantity, price: p0, barVolume: bars.volume[k])
        return side == .buy ? p0 + slip : Swift.max(p0 - slip, 0)
    }

    private func fits(_ cost: Double) -> Bool { cost <= context.cash + 1e-12 * Swift.max(context.cash.magnitude, 1) }

    /// Largest quantity ≤ `upTo` whose cost plus fee fits the cash (closed form for linear fees and price-only
    /// slippage, else bisection), floored to whole shares when fractional shares are off.
    private func affordableQuantity(_ p0: Double, bar k: Int, upTo limit: Double) -> Double {
        let cash = context.cash
        guard cash > 0 else { return 0 }
        var q: Double
        if let (rate, fixed) = settings.fees.linear, !settings.slippage.dependsOnQuantity {
            let p = slipped(.buy, p0, 1, k)
            q = Swift.min((cash - fixed) / (p * (1 + rate)), limit)
        } else {
            var lo = 0.0, hi = limit
            for _ in 0..<200 {
                let mid = (lo + hi) / 2
                let p = slipped(.buy, p0, mid, k)
                if mid * p + fee(mid, p) <= cash { lo = mid } else { hi = mid }
                if hi - lo <= lo * 1e-15 { break }
            }
            q = lo
        }
        if !settings.fractionalShares { q = (q + 1e-9).rounded(.down) }
        while q > 0 {
            let p = slipped(.buy, p0, q, k)
            if fits(q * p + fee(q, p)) { break }
            q = settings.fractionalShares ? q * (1 - 1e-12) : q - 1
        }
        return Swift.max(q, 0)
    }

    /// Books one execution: position, cash, marks and the trade book.
    private mutating func apply(
        symbol s: Int, side: Side, quantity: Double, basePrice p0: Double, order: OrderID, kind: OrderKind, point: FillPoint
    ) {
        let price = slipped(side, p0, quantity, s * bars.dateCount + context.bar)
        settle(symbol: s, side: side, quantity: quantity, basePrice: p0, price: price, commission: fee(quantity, price), order: order, kind: kind, point: point)
    }

    /// Books one execution at `price` (slippage included) with `commission`.
    private mutating func settle(
        symbol s: Int, side: Side, quantity: Double, basePrice p0: Double, price: Double, commission: Double, order: OrderID,
        kind: OrderKind, point: FillPoint
    ) {
        let signed = side.sign * quantity
        let before = context.positions[s]
        context.positions[s] += signed
        context.trackEntryPrice(s, before: before, signed: signed, price: price)
        context.cash -= signed * price + commission
        context.holdingsValue += signed * context.marks[s]
        book.record(
            symbol: s, bar: context.bar, side: side, quantity: quantity, price: price, fee: commission,
            slippage: (price - p0).magnitude * quantity, order: order, kind: kind, point: point)
    }

    /// Creates, or grows by `quantity`, the stop-loss and take-profit of a bracket entry.
    private mutating func attachBracket(to entry: OpenOrder, side: Side, quantity: Double, price: Double) {
        var grown = false
        for j in context.openOrders.indices where context.openOrders[j].parent == entry.id && !context.openOrders[j].done {
            if case .shares(let x) = context.openOrders[j].order.size {
                context.openOrders[j].order.size = .shares(x + quantity)
                grown = true
            }
        }
        if grown { return }
        let exitSide: Side = side == .buy ? .sell : .buy
        let d = side.sign  // +1 long entry: stop below, target above
        func level(_ exit: ExitLevel, adverse: Bool) -> Double {
            let direction = adverse ? -d : d
            switch exit {
            case .price(let x): return x
            case .percent(let p): return price * (1 + direction * p)
            case .amount(let a): return price + direction * a
            }
        }
        let group = -entry.id
        var legs: [OrderType] = []
        if let stop = entry.order.stopLoss { legs.append(.stop(level(stop, adverse: true))) }
        if let target = entry.order.takeProfit { legs.append(.limit(level(target, adverse: false))) }
        for type in legs {
            let id = context.nextID
            context.nextID += 1
            let order = Order(symbol: entry.order.symbol, side: exitSide, size: .shares(quantity), type: type, ocoGroup: group)
            context.openOrders.append(
                OpenOrder(id: id, order: order, filled: 0, parent: entry.id, activeFrom: context.bar + 1, atClose: false, bestClose: price))
        }
    }
}

extension FeeModel {
    /// `(rate, fixed)` when the fee is `rate × notional + fixed` for every quantity.
    var linear: (rate: Double, fixed: Double)? {
        switch self {
        case .none: return (0, 0)
        case .percent(let r): return (r, 0)
        case .fixed(let b): return (0, b)
        case .perShare: return nil
        case .combined(let parts):
            var rate = 0.0, fixed = 0.0
            for part in parts {
                guard let l = part.linear else { return nil }
                rate += l.rate
                fixed += l.fixed
            }
            return (rate, fixed)
        }
    }
}

extension SlippageModel {
    var dependsOnQuantity: Bool {
        if case .volumeShare = self { return true }
        return false
    }
}
