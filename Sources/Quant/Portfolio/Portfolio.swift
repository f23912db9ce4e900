import Foundation

/// A validated ledger with its prices: holdings on a date, the daily value series and performance.
///
/// P&L figures (``Holdings``) are exact `Decimal`. The daily value series behind TWR, XIRR, drawdown and
/// volatility is `Double`: one pass over the days valued in `Double` is what keeps a 20-year, 100,000-row
/// ledger well under 200 ms, and a return needs no more than 15 significant digits.
public struct Portfolio: Sendable {
    public let ledger: Ledger
    public let prices: PriceHistory
    public let method: CostMethod
    /// The rates into the base currency, when the portfolio was built with them.
    public let fx: FXRates?
    /// One sub-portfolio per currency of the rows when some row is not in `fx.base`; empty otherwise (then
    /// every figure is computed as for a one-currency ledger, unchanged).
    let parts: [CurrencyPart]

    public init(ledger: Ledger, prices: PriceHistory = .none, method: CostMethod = .fifo) {
        self.ledger = ledger
        self.prices = prices
        self.method = method
        fx = nil
        parts = []
    }

    /// A portfolio valued in `fx.base`: rows in another currency are kept in that currency (cash per currency,
    /// positions in the currency of their rows) and converted with `fx` (see `Portfolio+Currencies.swift`).
    /// Throws when a security's rows use several currencies or a currency has no rate on or before its first row.
    public init(ledger: Ledger, prices: PriceHistory = .none, method: CostMethod = .fifo, fx: FXRates) throws(CurrencyError) {
        self.ledger = ledger
        self.prices = prices
        self.method = method
        self.fx = fx
        parts = try CurrencyPart.split(ledger, prices: prices, method: method, fx: fx)
    }

    /// Whether some row is in another currency than the base one.
    public var isMultiCurrency: Bool { !parts.isEmpty }

    /// Positions, cash and cumulative figures after every row dated on or before `date`.
    public func holdings(at date: LocalDate) -> Holdings {
        run(through: date.daysSinceEpoch, snapshots: [date.daysSinceEpoch], daily: false).snapshots[0]
    }

    /// `V_t = cash + Σ quantity · close` after all of day t's rows, for every calendar day from the first row
    /// (or `end`, if later rows only) through `end`, with the external flows of each day.
    public func dailyValuation(through end: LocalDate) -> DailyValuation {
        run(through: end.daysSinceEpoch, snapshots: [], daily: true).daily!
    }

    /// One pass: the daily series (if asked) and ``Holdings`` at each of `snapshots` (ascending days).
    func run(through end: Int, snapshots: [Int], daily: Bool) -> (daily: DailyValuation?, snapshots: [Holdings]) {
        if !parts.isEmpty { return currencyRun(through: end, snapshotDays: snapshots, daily: daily) }
        switch ledger.rows {
        case .fixed(let rows):
            if let result = try? pass(rows, end: end, snapshotDays: snapshots, daily: daily) { return result }
            return try! pass(ledger.decimalRows(), end: end, snapshotDays: snapshots, daily: daily)
        case .decimal(let rows):
            // Decimal arithmetic never overflows, and every Decimal close converts.
            return try! pass(rows, end: end, snapshotDays: snapshots, daily: daily)
        }
    }

    private func pass<N: LedgerNumber>(
        _ rows: [Ledger.Row<N>], end: Int, snapshotDays: [Int], daily: Bool
    ) throws(LedgerOverflow) -> (daily: DailyValuation?, snapshots: [Holdings]) {
        let symbols = ledger.symbols
        var book = Book<N>(symbolCount: symbols.count, method: method)
        var snapshots: [Holdings] = []
        var nextSnapshot = 0
        func takeSnapshots(through day: Int) throws(LedgerOverflow) {
            while nextSnapshot < snapshotDays.count && snapshotDays[nextSnapshot] <= day {
                let date = LocalDate(daysSinceEpoch: snapshotDays[nextSnapshot])
                snapshots.append(try book.holdings(date: date, symbols: symbols) { prices.close(symbols[$0], on: date) })
                nextSnapshot += 1
            }
        }
        let start = min(rows.first?.day ?? end, end)
        try takeSnapshots(through: start - 1)
        var r = 0
        guard daily else {
            for day in snapshotDays {
                while r < rows.count && rows[r].day <= day {
                    try book.apply(rows[r])
                    r += 1
                }
                try takeSnapshots(through: day)
            }
            return (nil, snapshots)
        }
        var cursors = symbols.map { CloseCursor(series: prices.table[$0]) }
        var quantity = [Double](repeating: 0, count: symbols.count)
        var lastPrice = [Double](repeating: 0, count: symbols.count)
        let count = max(0, end - start + 1)
        var values = [Double](), flows = [Double]()
        values.reserveCapacity(count)
        flows.reserveCapacity(count)
        for day in start..<(start + count) {
            var flow = 0.0
            while r < rows.count && rows[r].day == day {
                let row = rows[r]
                try book.apply(row)
                flow += row.flowDouble
                if row.symbol >= 0 {
                    quantity[row.symbol] = book.positions[row.symbol].lots.quantity.double
                    switch row.type {
                    case .buy, .sell, .transferIn, .transferOut: lastPrice[row.symbol] = row.price.double
                    case .split: lastPrice[row.symbol] /= row.quantity.double
                    default: break
                    }
                }
                r += 1
            }
            var value = book.cash.double
            for s in quantity.indices where quantity[s] != 0 {
                let close: Double?
                if let lookup = prices.lookup {
                    close = lookup(symbols[s], LocalDate(daysSinceEpoch: day)).map { NSDecimalNumber(decimal: $0).doubleValue }
                } else {
                    close = cursors[s].close(on: day)
                }
                value += quantity[s] * (close ?? lastPrice[s])
            }
            values.append(value)
            flows.append(flow)
            try takeSnapshots(through: day)
        }
        return (DailyValuation(start: LocalDate(daysSinceEpoch: start), values: values, flows: flows), snapshots)
    }
}

/// The portfolio's value at the end of every calendar day, and the external flows of each day.
public struct DailyValuation: Sendable, Hashable {
    /// The day of `values[0]`.
    public let start: LocalDate
    /// `V_t = cash + Σ quantity · close` after all of day t's rows (non-trading days carry the last close).
    public let values: [Double]
    /// External flows of day t at market value, positive into the portfolio (see ``Transaction/externalFlow``).
    public let flows: [Double]

    public init(start: LocalDate, values: [Double], flows: [Double]) {
        self.start = start
        self.values = values
        self.flows = flows
    }

    public var end: LocalDate { start.adding(days: values.count - 1) }

    public func date(at index: Int) -> LocalDate { start.adding(days: index) }

    /// `V` at the end of `date`: 0 before the first day, the last value after the last day.
    public func value(on date: LocalDate) -> Double {
        let i = start.days(to: date)
        if i < 0 || values.isEmpty { return 0 }
        return values[min(i, values.count - 1)]
    }

    /// The flows of `date` (0 outside the series).
    public func flow(on date: LocalDate) -> Double {
        let i = start.days(to: date)
        return i >= 0 && i < flows.count ? flows[i] : 0
    }
}
