import Foundation

/// The rows of one currency, as a one-currency portfolio of their own (cash in that currency, the positions
/// whose rows are in it), with the days its rows fall on.
struct CurrencyPart: Sendable {
    let currency: String
    let portfolio: Portfolio
    /// Distinct days of the part's rows, ascending.
    let rowDays: [Int]

    /// Splits `ledger` by currency; `[]` when every row is in the base currency.
    static func split(_ ledger: Ledger, prices: PriceHistory, method: CostMethod, fx: FXRates) throws(CurrencyError) -> [CurrencyPart] {
        let currencies = Set(ledger.transactions.map(\.currency))
        guard currencies.contains(where: { $0 != fx.base }) else { return [] }
        var bySymbol: [String: Set<String>] = [:]
        for t in ledger.transactions where t.symbol != Transaction.cashSymbol { bySymbol[t.symbol, default: []].insert(t.currency) }
        for s in ledger.symbols where bySymbol[s]!.count > 1 {
            throw CurrencyError.mixedSecurity(symbol: s, currencies: bySymbol[s]!.sorted())
        }
        var parts: [CurrencyPart] = []
        for c in currencies.sorted() {
            let rows = ledger.transactions.filter { $0.currency == c }
            if fx.rate(c, on: rows[0].date) == nil { throw CurrencyError.missingRate(currency: c, pair: fx.pair(c), date: rows[0].date) }
            // The rows of a valid ledger in one currency are a valid ledger: row checks are per row and holding
            // checks per security, whose rows are all in this part.
            let sub = try! Ledger(rows)
            var days: [Int] = []
            for t in sub.transactions where days.last != t.date.daysSinceEpoch { days.append(t.date.daysSinceEpoch) }
            parts.append(CurrencyPart(currency: c, portfolio: Portfolio(ledger: sub, prices: prices, method: method), rowDays: days))
        }
        return parts
    }
}

extension Portfolio {
    /// The cumulative figures that are converted at each row's date: net contributions, realized, transferred-out
    /// gain, dividends, interest, fees, taxes, trade fees.
    private static func terms(_ h: Holdings) -> [Decimal] {
        [h.netContributions, h.realized, h.transferredOutGain, h.dividends, h.interest, h.fees, h.taxes, h.tradeFees]
    }

    /// One part's state on a requested day: its local holdings, the rate of the day, and the figures converted at
    /// the rates of their rows' dates.
    private struct PartSnapshot {
        var local: Holdings
        var rate: Decimal
        var terms: [Decimal]
        var bySymbol: [String: (realized: Decimal, dividends: Decimal)]
        /// `Σ_rows Δ(cash + open cost) · X(row date)`.
        var bookBase: Decimal
    }

    /// ``run(through:snapshots:daily:)`` for a multi-currency ledger: each currency's part is run on its own and
    /// its figures converted. Flows, income, expenses and realized P&L convert at the rate of their row's date
    /// (the day's change of each cumulative figure times that day's rate); cash, positions, cost and unrealized
    /// at the rate of the valued day; ``Holdings/fxGain`` is what the rate moves did to cash and cost.
    func currencyRun(through end: Int, snapshotDays: [Int], daily: Bool) -> (daily: DailyValuation?, snapshots: [Holdings]) {
        let fx = fx!
        var perPart: [[PartSnapshot]] = []
        var locals: [DailyValuation] = []
        let wanted = Set(snapshotDays)
        for part in parts {
            let rowDays = part.rowDays.filter { $0 <= end }
            let days = Array(Set(rowDays).union(snapshotDays)).sorted()
            let (local, hs) = part.portfolio.run(through: end, snapshots: days, daily: daily)
            if let local { locals.append(local) }
            let isRowDay = Set(rowDays)
            var previous = Array(repeating: Decimal(0), count: 8)
            var terms = previous
            var previousBook = Decimal(0), bookBase = Decimal(0)
            var previousBySymbol: [String: (realized: Decimal, dividends: Decimal)] = [:]
            var bySymbol: [String: (realized: Decimal, dividends: Decimal)] = [:]
            var snaps: [Int: PartSnapshot] = [:]
            for (k, day) in days.enumerated() {
                let h = hs[k]
                let rate = fx.rate(part.currency, on: LocalDate(daysSinceEpoch: day))?.rate ?? 0
                if isRowDay.contains(day) {
                    let now = Self.terms(h)
                    for i in terms.indices { terms[i] += (now[i] - previous[i]) * rate }
                    previous = now
                    let book = h.cash + h.positions.reduce(Decimal(0)) { $0 + $1.costBasis }
                    bookBase += (book - previousBook) * rate
                    previousBook = book
                    for p in h.positions {
                        let before = previousBySymbol[p.symbol] ?? (0, 0)
                        let sum = bySymbol[p.symbol] ?? (0, 0)
                        bySymbol[p.symbol] = (sum.realized + (p.realized - before.realized) * rate, sum.dividends + (p.dividends - before.dividends) * rate)
                        previousBySymbol[p.symbol] = (p.realized, p.dividends)
                    }
                }
                if wanted.contains(day) { snaps[day] = PartSnapshot(local: h, rate: rate, terms: terms, bySymbol: bySymbol, bookBase: bookBase) }
            }
            perPart.append(snapshotDays.map { snaps[$0]! })
        }
        let order = Dictionary(uniqueKeysWithValues: ledger.symbols.enumerated().map { ($1, $0) })
        var out: [Holdings] = []
        for (k, day) in snapshotDays.enumerated() {
            var value = Decimal(0), cash = Decimal(0), unrealized = Decimal(0), fxGain = Decimal(0)
            var terms = Array(repeating: Decimal(0), count: 8)
            var positions: [Position] = []
            var lots: [Lot] = []
            var cashByCurrency: [String: Decimal] = [:]
            for (p, part) in parts.enumerated() {
                let s = perPart[p][k], x = s.rate, h = s.local
                value += h.value * x
                cash += h.cash * x
                unrealized += h.unrealized * x
                if part.rowDays[0] <= day { cashByCurrency[part.currency] = h.cash }
                for i in terms.indices { terms[i] += s.terms[i] }
                let cost = h.positions.reduce(Decimal(0)) { $0 + $1.costBasis }
                fxGain += (h.cash + cost) * x - s.bookBase
                for q in h.positions {
                    let converted = s.bySymbol[q.symbol] ?? (0, 0)
                    positions.append(Position(
                        symbol: q.symbol, quantity: q.quantity, costBasis: q.costBasis * x, close: q.close, marketValue: q.marketValue * x,
                        realized: converted.realized, unrealized: q.unrealized * x, dividends: converted.dividends, weight: 0,
                        currency: part.currency, fxRate: x))
                }
                lots += h.lots.map { Lot(symbol: $0.symbol, acquired: $0.acquired, quantity: $0.quantity, cost: $0.cost * x) }
            }
            positions.sort { order[$0.symbol]! < order[$1.symbol]! }
            lots = lots.enumerated().sorted { (order[$0.element.symbol]!, $0.offset) < (order[$1.element.symbol]!, $1.offset) }.map(\.element)
            let total = value.double
            for i in positions.indices { positions[i].weight = total == 0 ? 0 : positions[i].marketValue.double / total }
            var h = Holdings(
                date: LocalDate(daysSinceEpoch: day), cash: cash, cashWeight: total == 0 ? 0 : cash.double / total, positions: positions,
                lots: lots, value: value, netContributions: terms[0], realized: terms[1], unrealized: unrealized, transferredOutGain: terms[2],
                dividends: terms[3], interest: terms[4], fees: terms[5], taxes: terms[6], tradeFees: terms[7])
            h.fxGain = fxGain
            h.cashByCurrency = cashByCurrency
            out.append(h)
        }
        guard daily else { return (nil, out) }
        return (combine(locals, through: end, fixedAt: nil), out)
    }

    /// The base-currency daily series; with `fixedAt`, every currency's rate is held at its rate on that day (or
    /// on its first row's day, if later) instead of each day's rate.
    func currencyDaily(through end: Int, fixedAt: Int?) -> DailyValuation {
        combine(parts.map { $0.portfolio.dailyValuation(through: LocalDate(daysSinceEpoch: end)) }, through: end, fixedAt: fixedAt)
    }

    /// `V_t = Σ_c X_c(t) · V_c(t)` and `F_t = Σ_c X_c(t) · F_c(t)` over the parts' local series (`Double`).
    private func combine(_ locals: [DailyValuation], through end: Int, fixedAt: Int?) -> DailyValuation {
        let fx = fx!
        let start = locals.map(\.start.daysSinceEpoch).min() ?? end
        let count = max(0, end - start + 1)
        var values = [Double](repeating: 0, count: count), flows = [Double](repeating: 0, count: count)
        for (part, local) in zip(parts, locals) {
            let fixed = fixedAt.map { fx.rate(part.currency, on: LocalDate(daysSinceEpoch: max($0, part.rowDays[0])))?.rate.double ?? 0 }
            for i in 0..<count {
                let date = LocalDate(daysSinceEpoch: start + i)
                let v = local.value(on: date), f = local.flow(on: date)
                if v == 0 && f == 0 { continue }
                let x = fixed ?? fx.rate(part.currency, on: date)?.rate.double ?? 0
                values[i] += v * x
                flows[i] += f * x
            }
        }
        return DailyValuation(start: LocalDate(daysSinceEpoch: start), values: values, flows: flows)
    }
}
