import Foundation
import Hummingbird
import Quant
import ServiceKit

/// A portfolio ready for the engine: its validated ledger and the closes of its symbols from `data`.
struct LoadedPortfolio: Sendable {
    let record: PortfolioRecord
    let ledger: Ledger
    let closes: [String: [(date: LocalDate, close: Decimal)]]
    let portfolio: Portfolio
    /// Rates of the currencies other than the base one, and the pair each was read from (`EURUSD`, `1/USDEUR`).
    var rates = FXRates(base: "")
    var fxSources: [String: String] = [:]

    var inception: LocalDate? { ledger.transactions.first?.date }

    /// The last close of `symbol` on or before `date`, with its day.
    func lastClose(_ symbol: String, on date: LocalDate) -> (date: LocalDate, close: Decimal)? {
        guard let series = closes[symbol] else { return nil }
        var lo = 0, hi = series.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if series[mid].date <= date { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : series[lo - 1]
    }

    /// What the answer must say about the prices behind `holdings`: a held symbol without a close on the day
    /// (weekends excepted) is valued at its last earlier close, or at its last trade price when it has none.
    func warnings(_ holdings: Holdings) -> [String] {
        var out: [String] = []
        let d = holdings.date
        for p in holdings.positions where p.quantity != 0 {
            guard let last = lastClose(p.symbol, on: d) else {
                out.append("\(p.symbol): no close on or before \(d); valued at its last trade price \(p.close.map { "\($0)" } ?? "")")
                continue
            }
            // Saturday and Sunday carry Friday's close silently.
            let weekendGap = d.weekday >= 6 && last.date.days(to: d) <= d.weekday - 5
            if last.date != d && !weekendGap {
                out.append("\(p.symbol): no close on \(d); valued at the close of \(last.date)")
            }
        }
        return out + fxWarnings(through: d, valued: [d])
    }

    /// Rates missing on a day they are needed — a row's date in that currency, or a valued day in `valued` —
    /// where the last earlier rate is used instead (Saturdays and Sundays carry Friday's rate silently).
    func fxWarnings(from start: LocalDate? = nil, through end: LocalDate, valued: [LocalDate]) -> [String] {
        var out: [String] = []
        for currency in fxSources.keys.sorted() {
            let pair = fxSources[currency]!
            let lower = start ?? LocalDate(daysSinceEpoch: Int.min / 2)
            let rowDays = ledger.transactions.filter { $0.currency == currency && $0.date <= end && $0.date >= lower }.map(\.date)
            var seen = Set<LocalDate>()
            for d in rowDays + valued where seen.insert(d).inserted {
                guard let used = rates.rate(currency, on: d) else { continue }
                let weekendGap = d.weekday >= 6 && used.date.days(to: d) <= d.weekday - 5
                if used.date != d && !weekendGap {
                    out.append("\(pair): no rate on \(d); the rate of \(used.date) (\(used.rate)) is used")
                }
            }
        }
        return out
    }
}

/// Positions, lots, performance, allocation, targets, rebalancing and X-ray: the engine in `Quant` applied to a
/// stored ledger and the `data` service's closes (not adjusted: splits and dividends are ledger rows).
struct AnalyticsRoutes: Sendable {
    let store: PortfolioStore
    let market: MarketClient

    func add(to router: ServiceRouter) {
        router.on(PortfolioContract.positions, use: positions)
        router.on(PortfolioContract.lots, use: lots)
        router.on(PortfolioContract.performance, use: performance)
        router.on(PortfolioContract.allocation, use: allocation)
        router.on(PortfolioContract.getTargets, use: getTargets)
        router.on(PortfolioContract.putTargets, use: putTargets)
        router.on(PortfolioContract.rebalance, use: rebalance)
        router.on(PortfolioContract.xray, use: xray)
        router.on(PortfolioContract.getXRaySettings, use: getXRaySettings)
        router.on(PortfolioContract.putXRaySettings, use: putXRaySettings)
    }

    static func quant(_ error: QuantError) -> Problem {
        Problem.validation("The figures cannot be computed: \(error.message).", errors: [FieldError(field: "portfolio", reason: error.message)])
    }

    /// Loads the caller's portfolio `{id}` with closes for its symbols and `extra` ones, each from a week before
    /// its first row (`extraFrom` for the extra symbols). `prices: false` skips `data` (lots need no prices).
    func load(_ context: ServiceRequestContext, method: CostMethod, extra: [String] = [], extraFrom: LocalDate? = nil,
              prices: Bool = true) async throws -> LoadedPortfolio {
        let record = try await PortfolioRoutes.owned(store, context, write: false)
        let rows = try await store.transactions(of: record.id).map(\.transaction)
        let ledger: Ledger
        do { ledger = try Ledger(rows) } catch {
            throw Problem.validation("The stored ledger does not validate.", errors: error.issues.map { FieldError(field: "/\($0.index)/\($0.field)", reason: $0.reason) })
        }
        var from: [String: LocalDate] = [:]
        if prices {
            for t in ledger.transactions where t.symbol != Transaction.cashSymbol && from[t.symbol] == nil { from[t.symbol] = t.date.adding(days: -7) }
            let start = extraFrom ?? ledger.transactions.first?.date ?? LedgerRules.today()
            for s in extra where from[s] == nil { from[s] = start.adding(days: -7) }
        }
        let caller = MarketClient.Caller(context)
        let closes = try await market.closes(from, caller)
        // Each other currency's rates, from a week before its first row (the rows are date-sorted).
        var rateSeries: [String: [(date: LocalDate, rate: Decimal)]] = [:]
        var sources: [String: String] = [:]
        for currency in LedgerRules.foreignCurrencies(rows, base: record.baseCurrency) where prices {
            let first = ledger.transactions.first { $0.currency == currency }!.date
            let fx = try await market.fxRates(currency, base: record.baseCurrency, from: first.adding(days: -7), caller)
            rateSeries[currency] = fx.rates
            sources[currency] = fx.rates.isEmpty ? currency + record.baseCurrency : fx.source
        }
        let rates = FXRates(base: record.baseCurrency, rates: rateSeries)
        let portfolio: Portfolio
        do {
            portfolio = prices ? try Portfolio(ledger: ledger, prices: PriceHistory(closes), method: method, fx: rates)
                : Portfolio(ledger: ledger, prices: PriceHistory(closes), method: method)
        } catch {
            switch error {
            case .missingRate(let currency, let pair, let date):
                throw Problem(status: .unprocessableContent, slug: "missing-fx-rate", title: "No exchange rate",
                              detail: "The data service has no \(pair) rate (nor \(record.baseCurrency)\(currency)) on or before \(date), "
                                + "the first \(currency) transaction; the portfolio cannot be valued in \(record.baseCurrency).",
                              extensions: ["pair": .string(pair), "currency": .string(currency),
                                           "errors": .array([.object(["field": .string("currency"), "reason": .string("no \(pair) rate on or before \(date)")])])])
            case .mixedSecurity:
                throw Problem.validation("The stored ledger mixes currencies for one security.", errors: [FieldError(field: "currency", reason: error.description)])
            }
        }
        var loaded = LoadedPortfolio(record: record, ledger: ledger, closes: closes, portfolio: portfolio)
        loaded.rates = rates
        loaded.fxSources = sources
        return loaded
    }

    static func method(_ q: QueryReader) throws(Problem) -> CostMethod { (try q.value("method", as: CostMethodName.self) ?? .fifo).method }
    static func day(_ q: QueryReader, _ name: String) throws(Problem) -> LocalDate? { try q.date(name).flatMap(LocalDate.init) }

    // MARK: positions and lots

    struct PositionsBody: Encodable {
        struct Item: Encodable {
            let symbol: String
            let quantity, costBasis: Decimal
            let close: Decimal?
            let closeDate: LocalDate?
            let marketValue, realized, unrealized, dividends: Decimal
            let weight: Double
            var currency: String? = nil
            var fxRate: Decimal? = nil
            enum CodingKeys: String, CodingKey {
                case symbol, quantity, close, realized, unrealized, dividends, weight, currency
                case costBasis = "cost_basis", closeDate = "close_date", marketValue = "market_value", fxRate = "fx_rate"
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(symbol, forKey: .symbol); try c.encode(quantity, forKey: .quantity); try c.encode(costBasis, forKey: .costBasis)
                try c.encode(close, forKey: .close); try c.encode(closeDate, forKey: .closeDate); try c.encode(marketValue, forKey: .marketValue)
                try c.encode(realized, forKey: .realized); try c.encode(unrealized, forKey: .unrealized); try c.encode(dividends, forKey: .dividends)
                try c.encode(jsonNumber(weight) ?? 0, forKey: .weight)
                try c.encodeIfPresent(currency, forKey: .currency); try c.encodeIfPresent(fxRate, forKey: .fxRate)
            }
        }
        let date: LocalDate
        let baseCurrency: String
        let value, cash: Decimal
        let cashWeight: Double
        let netContributions, realized, unrealized, dividends, interest, fees, taxes: Decimal
        let positions: [Item]
        let warnings: [String]
        var fxGain: Decimal = 0
        var cashByCurrency: [String: Decimal]? = nil
        enum CodingKeys: String, CodingKey {
            case date, value, cash, realized, unrealized, dividends, interest, fees, taxes, positions, warnings
            case baseCurrency = "base_currency", cashWeight = "cash_weight", netContributions = "net_contributions"
            case fxGain = "fx_gain", cashByCurrency = "cash_by_currency"
        }
    }

    @Sendable func positions(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let q = QueryReader(request)
        let method = try Self.method(q)
        let date = try Self.day(q, "date") ?? LedgerRules.today()
        let loaded = try await load(context, method: method)
        let h = loaded.portfolio.holdings(at: date)
        let items = h.positions.map { p in
            PositionsBody.Item(symbol: p.symbol, quantity: p.quantity, costBasis: p.costBasis, close: p.close,
                               closeDate: p.quantity == 0 ? nil : loaded.lastClose(p.symbol, on: date)?.date, marketValue: p.marketValue,
                               realized: p.realized, unrealized: p.unrealized, dividends: p.dividends, weight: p.weight,
                               currency: p.currency, fxRate: p.fxRate)
        }
        return try JSONResponse(encoding: PositionsBody(
            date: date, baseCurrency: loaded.record.baseCurrency, value: h.value, cash: h.cash, cashWeight: jsonNumber(h.cashWeight) ?? 0,
            netContributions: h.netContributions, realized: h.realized, unrealized: h.unrealized, dividends: h.dividends, interest: h.interest,
            fees: h.fees, taxes: h.taxes, positions: items, warnings: loaded.warnings(h), fxGain: h.fxGain,
            cashByCurrency: loaded.portfolio.isMultiCurrency ? h.cashByCurrency : nil))
    }

    @Sendable func lots(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let q = QueryReader(request)
        let method = try Self.method(q)
        let date = try Self.day(q, "date") ?? LedgerRules.today()
        let symbol = try q.string("symbol", maxLength: 20)?.uppercased()
        let loaded = try await load(context, method: method, prices: false)
        let lots = loaded.portfolio.holdings(at: date).lots.filter { symbol == nil || $0.symbol == symbol }
        struct Body: Encodable { let date: LocalDate; let lots: [Lot] }
        return try JSONResponse(encoding: Body(date: date, lots: lots))
    }

    // MARK: performance

    struct PerformanceBody: Encodable {
        struct DrawdownBody: Encodable { let depth: Double; let peak, trough, recovery: LocalDate?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(jsonNumber(depth) ?? 0, forKey: .depth); try c.encode(peak, forKey: .peak)
                try c.encode(trough, forKey: .trough); try c.encode(recovery, forKey: .recovery)
            }
            enum CodingKeys: String, CodingKey { case depth, peak, trough, recovery }
        }
        struct Year: Encodable {
            let year: Int; let twr: Double; let xirr: Double?; let netContributions, income, valueEnd: Decimal
            enum CodingKeys: String, CodingKey { case year, twr, xirr, income; case netContributions = "net_contributions", valueEnd = "value_end" }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(year, forKey: .year); try c.encode(jsonNumber(twr) ?? 0, forKey: .twr); try c.encode(jsonNumber(xirr), forKey: .xirr)
                try c.encode(netContributions, forKey: .netContributions); try c.encode(income, forKey: .income); try c.encode(valueEnd, forKey: .valueEnd)
            }
        }
        struct Point: Encodable { let date: LocalDate; let value: Double; let twrIndex: Double
            enum CodingKeys: String, CodingKey { case date, value; case twrIndex = "twr_index" }
        }
        struct Benchmark: Encodable {
            let symbol: String; let `return`: Double; let activeReturn: Double; let alpha, beta, trackingError: Double?; let index: [Double]
            enum CodingKeys: String, CodingKey { case symbol, `return`, alpha, beta, index; case activeReturn = "active_return", trackingError = "tracking_error" }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(symbol, forKey: .symbol); try c.encode(jsonNumber(self.return) ?? 0, forKey: .return)
                try c.encode(jsonNumber(activeReturn) ?? 0, forKey: .activeReturn); try c.encode(jsonNumber(alpha), forKey: .alpha)
                try c.encode(jsonNumber(beta), forKey: .beta); try c.encode(jsonNumber(trackingError), forKey: .trackingError)
                try c.encode(index.map { jsonNumber($0) ?? 0 }, forKey: .index)
            }
        }
        let summary: PerformanceSummary
        let series: [Point]?
        let benchmark: Benchmark?
        let warnings: [String]

        enum CodingKeys: String, CodingKey {
            case from, to, twr, xirr, volatility, sharpe, dividends, interest, fees, taxes, series, benchmark, warnings
            case valueStart = "value_start", valueEnd = "value_end", netContributions = "net_contributions", twrAnnualized = "twr_annualized"
            case maxDrawdown = "max_drawdown", realized = "realized_pnl", unrealized = "unrealized_pnl", unrealizedChange = "unrealized_change"
            case transferredOutGain = "transferred_out_gain", tradeFees = "trade_fees", byYear = "by_year"
            case twrLocal = "twr_local", currencyEffect = "currency_effect", fxGain = "fx_gain"
        }

        func encode(to encoder: any Encoder) throws {
            let s = summary
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(s.from, forKey: .from); try c.encode(s.to, forKey: .to)
            try c.encode(s.valueStart, forKey: .valueStart); try c.encode(s.valueEnd, forKey: .valueEnd)
            try c.encode(s.netContributions, forKey: .netContributions); try c.encode(jsonNumber(s.twr) ?? 0, forKey: .twr)
            try c.encode(jsonNumber(s.twrAnnualized), forKey: .twrAnnualized); try c.encode(jsonNumber(s.xirr), forKey: .xirr)
            let d = s.maxDrawdown
            try c.encode(DrawdownBody(depth: d.depth, peak: d.peak, trough: d.trough, recovery: d.recovery), forKey: .maxDrawdown)
            try c.encode(jsonNumber(s.volatility), forKey: .volatility); try c.encode(jsonNumber(s.sharpe), forKey: .sharpe)
            try c.encode(s.realized, forKey: .realized); try c.encode(s.unrealized, forKey: .unrealized)
            try c.encode(s.unrealizedChange, forKey: .unrealizedChange); try c.encode(s.transferredOutGain, forKey: .transferredOutGain)
            try c.encode(s.dividends, forKey: .dividends); try c.encode(s.interest, forKey: .interest)
            try c.encode(s.fees, forKey: .fees); try c.encode(s.taxes, forKey: .taxes); try c.encode(s.tradeFees, forKey: .tradeFees)
            try c.encode(s.byYear.map { Year(year: $0.year, twr: $0.twr, xirr: $0.xirr, netContributions: $0.netContributions, income: $0.income, valueEnd: $0.valueEnd) },
                         forKey: .byYear)
            try c.encodeIfPresent(series, forKey: .series); try c.encodeIfPresent(benchmark, forKey: .benchmark)
            try c.encode(warnings, forKey: .warnings)
            try c.encode(jsonNumber(s.twrLocal) ?? 0, forKey: .twrLocal); try c.encode(jsonNumber(s.currencyEffect) ?? 0, forKey: .currencyEffect)
            try c.encode(s.fxGain, forKey: .fxGain)
        }
    }

    /// The range of `from`/`to`/`range`: `from` (with `to`, default today) wins; else the preset (default `max`).
    static func range(_ q: QueryReader, inception: LocalDate?) throws(Problem) -> DateRange {
        let to = try day(q, "to") ?? LedgerRules.today()
        if let from = try day(q, "from") {
            guard from <= to else { throw Problem.badRequest("from is after to.", errors: [FieldError(field: "from", reason: "must not be after to")]) }
            return DateRange(from: from, to: to)
        }
        let name = try q.string("range", maxLength: 10) ?? "max"
        guard let range = DateRange.preset(name, end: to, inception: inception ?? to) else {
            throw Problem.badRequest("The query parameter range is not a range.",
                                     errors: [FieldError(field: "range", reason: "must be 1d, wtd, mtd, ytd, 1y, 5y, max or a year YYYY not after to")])
        }
        return range
    }

    /// Warnings about the closes behind a range: held symbols with no close at all, or whose closes start after
    /// they were first held or stop before the range ends.
    static func priceWarnings(_ loaded: LoadedPortfolio, _ range: DateRange) -> [String] {
        var out: [String] = []
        let end = loaded.portfolio.holdings(at: range.to)
        for symbol in loaded.ledger.symbols {
            let first = loaded.ledger.transactions.first { $0.symbol == symbol }!.date
            guard let series = loaded.closes[symbol], let firstClose = series.first else {
                out.append("\(symbol): no closes from the data service; valued at its last trade price on every day")
                continue
            }
            if firstClose.date > first && firstClose.date > range.from {
                out.append("\(symbol): first close \(firstClose.date) is after its first row \(first); valued at its trade price until then")
            }
            if let last = series.last, end.positions.contains(where: { $0.symbol == symbol && $0.quantity != 0 }), last.date.days(to: range.to) > 4 {
                out.append("\(symbol): last close \(last.date); every later day through \(range.to) carries it")
            }
        }
        let before = range.from.adding(days: -1)
        let valued = loaded.inception.map { before >= $0 } == true ? [before, range.to] : [range.to]
        return out + loaded.fxWarnings(from: range.from, through: range.to, valued: valued)
    }

    @Sendable func performance(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let q = QueryReader(request)
        let method = try Self.method(q)
        let daily = try q.value("series", as: SeriesKind.self) != nil
        let riskFree = try q.double("risk_free", in: -0.5...1) ?? 0
        let benchmark = try q.string("benchmark", maxLength: 20)?.uppercased()
        // The range needs the inception, so the ledger first; a benchmark's closes are fetched from the range's start.
        let record = try await PortfolioRoutes.owned(store, context, write: false)
        let inception = try await store.transactions(of: record.id).first?.transaction.date
        let range = try Self.range(q, inception: inception)
        let loaded = try await load(context, method: method, extra: benchmark.map { [$0] } ?? [], extraFrom: range.from.adding(days: -1))
        let summary: PerformanceSummary
        do { summary = try loaded.portfolio.performance(range, riskFreeRate: riskFree) } catch { throw Self.quant(error) }
        var series: [PerformanceBody.Point]?
        if daily {
            let valuation = loaded.portfolio.dailyValuation(through: range.to)
            series = (0..<summary.timeWeighted.calendarDays).map { i in
                let d = range.from.adding(days: i)
                return PerformanceBody.Point(date: d, value: jsonNumber(valuation.value(on: d)) ?? 0, twrIndex: jsonNumber(summary.timeWeighted.index[i + 1]) ?? 0)
            }
        }
        var comparison: PerformanceBody.Benchmark?
        if let benchmark {
            guard let closes = loaded.closes[benchmark], !closes.isEmpty else {
                throw Problem.validation("The benchmark has no prices.", errors: [FieldError(field: "benchmark", reason: "the data service has no closes for \(benchmark)")])
            }
            let c: BenchmarkComparison
            do { c = try BenchmarkComparison(summary.timeWeighted, benchmark: benchmark, prices: PriceHistory([benchmark: closes]), riskFreeRate: riskFree) } catch {
                throw Self.quant(error)
            }
            comparison = .init(symbol: benchmark, return: c.benchmarkReturn, activeReturn: c.activeReturn, alpha: c.alpha, beta: c.beta,
                               trackingError: c.trackingError, index: daily ? c.index : [])
        }
        return try JSONResponse(encoding: PerformanceBody(summary: summary, series: series, benchmark: comparison,
                                                          warnings: Self.priceWarnings(loaded, range)))
    }

    enum SeriesKind: String, CaseIterable { case daily }

    // MARK: allocation

    struct Bucket: Encodable { let key: String; let value: Decimal; let weight: Double }

    /// Cash is one bucket (`CASH` / `cash`, or the base currency by currency); in a multi-currency portfolio, by
    /// currency, each currency's balance is its own bucket at the day's rate from `rates`.
    static func buckets(_ h: Holdings, by: String, base: String, instruments: [String: InstrumentInfo], rates: FXRates? = nil) -> [Bucket] {
        var values: [String: Decimal] = [:]
        for p in h.positions where p.quantity != 0 {
            let info = instruments[p.symbol]
            let key: String = switch by {
            case "asset_class": info?.type ?? "unclassified"
            case "sector": info?.sector.flatMap { $0.isEmpty ? nil : $0 } ?? "unclassified"
            case "currency": p.currency ?? info?.currency ?? "unclassified"
            case "country": info?.country ?? "unclassified"
            default: p.symbol
            }
            values[key, default: 0] += p.marketValue
        }
        if by == "currency", let rates, !h.cashByCurrency.isEmpty {
            for (currency, cash) in h.cashByCurrency where cash != 0 {
                values[currency, default: 0] += cash * (rates.rate(currency, on: h.date)?.rate ?? 0)
            }
        } else if h.cash != 0 {
            let key = by == "currency" ? base : by == "symbol" ? Transaction.cashSymbol : "cash"
            values[key, default: 0] += h.cash
        }
        let total = NSDecimalNumber(decimal: h.value).doubleValue
        return values.map { Bucket(key: $0.key, value: $0.value, weight: total == 0 ? 0 : jsonNumber(NSDecimalNumber(decimal: $0.value).doubleValue / total) ?? 0) }
            .sorted { ($0.value, $1.key) > ($1.value, $0.key) }
    }

    @Sendable func allocation(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let q = QueryReader(request)
        let method = try Self.method(q)
        let date = try Self.day(q, "date") ?? LedgerRules.today()
        let by = try q.value("by", as: AllocationKey.self)?.rawValue ?? "symbol"
        let loaded = try await load(context, method: method)
        let h = loaded.portfolio.holdings(at: date)
        let held = h.positions.filter { $0.quantity != 0 }.map(\.symbol)
        let instruments = by == "symbol" ? [:] : try await market.instruments(held, MarketClient.Caller(context))
        struct Body: Encodable { let by: String; let date: LocalDate; let value: Decimal; let buckets: [Bucket]; let warnings: [String] }
        return try JSONResponse(encoding: Body(by: by, date: date, value: h.value,
                                               buckets: Self.buckets(h, by: by, base: loaded.record.baseCurrency, instruments: instruments, rates: loaded.rates),
                                               warnings: loaded.warnings(h)))
    }

    enum AllocationKey: String, CaseIterable { case symbol, assetClass = "asset_class", sector, currency, country }

    // MARK: targets and rebalancing

    static func targets(_ record: PortfolioRecord) -> Targets? {
        record.targets.flatMap { try? ServiceJSON.decoder().decode(Targets.self, from: Data($0.utf8)) }
    }

    @Sendable func getTargets(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let record = try await PortfolioRoutes.owned(store, context, write: false)
        return try JSONResponse(encoding: Self.targets(record) ?? Targets(weights: [:], cash: 0))
    }

    @Sendable func putTargets(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let record = try await PortfolioRoutes.owned(store, context, write: true)
        var targets = try await request.decodeJSON(as: Targets.self, context: context)
        targets.weights = Dictionary(targets.weights.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: +)
        var errors: [FieldError] = []
        for (symbol, w) in targets.weights.sorted(by: { $0.key < $1.key }) {
            if w < 0 || w > 1 { errors.append(FieldError(field: "/weights/\(symbol)", reason: "must be from 0 to 1")) }
            if symbol == Transaction.cashSymbol { errors.append(FieldError(field: "/weights/\(symbol)", reason: "cash has its own field, cash")) }
        }
        if targets.cash < 0 || targets.cash > 1 { errors.append(FieldError(field: "/cash", reason: "must be from 0 to 1")) }
        let sum = targets.weights.values.reduce(targets.cash, +)
        if sum != 1 { errors.append(FieldError(field: "/weights", reason: "the weights and cash sum to \(sum), not exactly 1")) }
        guard errors.isEmpty else { throw Problem.validation("The targets are invalid.", errors: errors) }
        let stored = try await store.transactions(of: record.id)
        errors = try await PortfolioRoutes(store: store, market: market)
            .checkSymbols(targets.weights.keys.sorted().map { Transaction(date: LedgerRules.today(), type: .buy, symbol: $0) },
                          known: Set(stored.map(\.transaction.symbol)), context: context) { i in "/weights/\(targets.weights.keys.sorted()[i])" }
        guard errors.isEmpty else { throw Problem.validation("The targets name unknown symbols.", errors: errors) }
        try await store.save(.targets, String(decoding: try ServiceJSON.encoder().encode(targets), as: UTF8.self), of: record.id)
        return try JSONResponse(encoding: targets)
    }

    struct RebalanceBody: Encodable {
        struct Trade: Encodable { let symbol: String; let side: String; let quantity, price, value: Decimal }
        let date: LocalDate
        let trades: [Trade]
        let fees, cashBefore, cashAfter: Decimal
        let holdingsAfter: [String: Decimal]
        let weightsAfter: [String: Double]
        let cashWeightAfter: Double
        let objective: Double
        let warnings: [String]
        enum CodingKeys: String, CodingKey {
            case date, trades, fees, objective, warnings
            case cashBefore = "cash_before", cashAfter = "cash_after", holdingsAfter = "holdings_after"
            case weightsAfter = "weights_after", cashWeightAfter = "cash_weight_after"
        }
    }

    enum RebalanceMode: String, CaseIterable { case full, buyOnly = "buy_only" }

    @Sendable func rebalance(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let q = QueryReader(request)
        let method = try Self.method(q)
        func money(_ name: String) throws(Problem) -> Decimal {
            guard let text = try q.string(name, maxLength: 40) else { return 0 }
            guard let d = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), d >= 0,
                  (try? /^\d+(\.\d+)?$/.wholeMatch(in: text)) != nil else {
                throw Problem.badRequest("The query parameter \(name) is not an amount.", errors: [FieldError(field: name, reason: "must be a number, 0 or more")])
            }
            return d
        }
        var options = RebalanceOptions(wholeShares: try q.bool("whole_shares") ?? true, minTrade: try money("min_trade"),
                                       feePerTrade: try money("fee"), cashReserve: try money("cash_reserve"))
        options.investNewCashOnly = try q.value("mode", as: RebalanceMode.self) == .buyOnly
        let record = try await PortfolioRoutes.owned(store, context, write: false)
        guard let targets = Self.targets(record), !targets.weights.isEmpty || targets.cash == 1 else {
            throw Problem.validation("The portfolio has no targets.", errors: [FieldError(field: "targets", reason: "set them with PUT …/targets first")])
        }
        let today = LedgerRules.today()
        // Targets not held yet are priced at their last close, however old: their whole history is fetched.
        let loaded = try await load(context, method: method, extra: Array(targets.weights.keys), extraFrom: LocalDate(daysSinceEpoch: 7))
        let h = loaded.portfolio.holdings(at: today)
        var holdings: [String: Decimal] = [:]
        var prices: [String: Decimal] = [:]
        var errors: [FieldError] = []
        for p in h.positions where p.quantity != 0 {
            holdings[p.symbol] = p.quantity
            // In several currencies, a price in the base currency: the close at the rate the position was valued at.
            if let close = p.close { prices[p.symbol] = close * (p.fxRate ?? 1) }
        }
        let unheld = targets.weights.keys.filter { prices[$0] == nil }
        let currencies = loaded.portfolio.isMultiCurrency ? try await market.instruments(unheld, MarketClient.Caller(context)).mapValues(\.currency) : [:]
        for s in unheld {
            guard let close = loaded.lastClose(s, on: today)?.close else {
                errors.append(FieldError(field: "/weights/\(s)", reason: "no close from the data service to trade \(s) at"))
                continue
            }
            let currency = currencies[s] ?? loaded.record.baseCurrency
            if let rate = loaded.rates.rate(currency, on: today)?.rate { prices[s] = close * rate } else {
                errors.append(FieldError(field: "/weights/\(s)", reason: "\(s) is quoted in \(currency), a currency of no row of this portfolio: no \(currency)\(loaded.record.baseCurrency) rate is loaded"))
            }
        }
        guard errors.isEmpty else { throw Problem.validation("Some targets have no price.", errors: errors) }
        let plan: RebalancePlan
        do {
            plan = try Rebalancer.plan(holdings: holdings, prices: prices, cash: h.cash, targets: targets.weights, cashTarget: targets.cash, options: options)
        } catch { throw Self.quant(error) }
        return try JSONResponse(encoding: RebalanceBody(
            date: today,
            trades: plan.trades.map { .init(symbol: $0.symbol, side: $0.quantity > 0 ? "buy" : "sell", quantity: $0.quantity < 0 ? -$0.quantity : $0.quantity,
                                            price: prices[$0.symbol]!, value: $0.value < 0 ? -$0.value : $0.value) },
            fees: plan.fees, cashBefore: h.cash, cashAfter: plan.cash, holdingsAfter: plan.holdings,
            weightsAfter: plan.weights.mapValues { jsonNumber($0) ?? 0 }, cashWeightAfter: jsonNumber(plan.cashWeight) ?? 0,
            objective: jsonNumber(plan.objective) ?? 0, warnings: loaded.warnings(h)))
    }

    // MARK: X-ray

    static func settings(_ record: PortfolioRecord) -> XRaySettings {
        (record.xraySettings.flatMap { try? ServiceJSON.decoder().decode(XRaySettings.self, from: Data($0.utf8)) } ?? XRaySettings(rules: [:])).merged
    }

    @Sendable func getXRaySettings(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        try JSONResponse(encoding: Self.settings(try await PortfolioRoutes.owned(store, context, write: false)))
    }

    @Sendable func putXRaySettings(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let record = try await PortfolioRoutes.owned(store, context, write: true)
        let settings = try await request.decodeJSON(as: XRaySettings.self, context: context)
        var errors: [FieldError] = []
        for (name, rule) in settings.rules.sorted(by: { $0.key < $1.key }) {
            guard XRaySettings.defaults.rules[name] != nil else {
                errors.append(FieldError(field: "/rules/\(name)", reason: "is not a rule (\(XRaySettings.defaults.rules.keys.sorted().joined(separator: ", ")))"))
                continue
            }
            for (field, value) in [("threshold", rule.threshold), ("min", rule.min), ("max", rule.max)] {
                if let value, !value.isFinite || abs(value) > 1e6 { errors.append(FieldError(field: "/rules/\(name)/\(field)", reason: "must be a finite number")) }
            }
            if name == "cash_share", let lo = rule.min, let hi = rule.max, lo > hi {
                errors.append(FieldError(field: "/rules/\(name)/min", reason: "must not exceed max"))
            }
        }
        guard errors.isEmpty else { throw Problem.validation("The settings are invalid.", errors: errors) }
        // Unset thresholds keep the defaults.
        var merged = Self.settings(record)
        for (name, rule) in settings.rules {
            let d = merged.rules[name]!
            merged.rules[name] = XRaySettings.Rule(enabled: rule.enabled, threshold: rule.threshold ?? d.threshold, min: rule.min ?? d.min, max: rule.max ?? d.max)
        }
        try await store.save(.xraySettings, String(decoding: try ServiceJSON.encoder().encode(merged), as: UTF8.self), of: record.id)
        return try JSONResponse(encoding: merged)
    }

    struct RuleResult: Encodable {
        let name: String
        let description: String
        let enabled: Bool
        let pass: Bool?
        let value: Double?
        let threshold, min, max: Double?
        let subject: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(description, forKey: .description); try c.encode(enabled, forKey: .enabled)
            try c.encode(pass, forKey: .pass); try c.encode(jsonNumber(value), forKey: .value); try c.encode(threshold, forKey: .threshold)
            try c.encode(min, forKey: .min); try c.encode(max, forKey: .max); try c.encode(subject, forKey: .subject)
        }
        enum CodingKeys: String, CodingKey { case name, description, enabled, pass, value, threshold, min, max, subject }
    }

    /// The X-ray's rules on `h` (holdings today) and `performance` (max range); pure, for tests.
    static func rules(_ h: Holdings, ledger: Ledger, drawdown: Double, instruments: [String: InstrumentInfo], base: String,
                      settings: XRaySettings, rates: FXRates? = nil) -> [RuleResult] {
        func d(_ x: Decimal) -> Double { NSDecimalNumber(decimal: x).doubleValue }
        let open = h.positions.filter { $0.quantity != 0 }
        let total = d(h.value)
        let largest = open.max { $0.marketValue < $1.marketValue }
        let sectors = buckets(h, by: "sector", base: base, instruments: instruments).filter { $0.key != "cash" && $0.key != "unclassified" }
        let currencies = buckets(h, by: "currency", base: base, instruments: instruments, rates: rates)
        var volume: Decimal = 0
        for t in ledger.transactions where t.type == .buy || t.type == .sell { volume += t.quantity * t.price }
        let fees = d(h.tradeFees + h.fees)
        func rule(_ name: String, _ description: String, value: Double?, subject: String? = nil, test: (XRaySettings.Rule, Double) -> Bool) -> RuleResult {
            let r = settings.rules[name]!
            return RuleResult(name: name, description: description, enabled: r.enabled, pass: r.enabled ? value.map { test(r, $0) } ?? true : nil,
                              value: value, threshold: r.threshold, min: r.min, max: r.max, subject: subject)
        }
        return [
            rule("largest_position", "The largest position's share of the value is at most the threshold.",
                 value: total > 0 ? largest.map { d($0.marketValue) / total } ?? 0 : nil, subject: largest?.symbol) { r, v in v <= r.threshold! },
            rule("largest_sector", "The largest sector's share of the value is at most the threshold (unclassified holdings left out).",
                 value: total > 0 ? sectors.first.map(\.weight) ?? 0 : nil, subject: sectors.first?.key) { r, v in v <= r.threshold! },
            rule("largest_currency", "The largest currency's share of the value (instrument currencies, cash in the base currency) is at most the threshold.",
                 value: total > 0 ? currencies.first.map(\.weight) ?? 0 : nil, subject: currencies.first?.key) { r, v in v <= r.threshold! },
            rule("fee_ratio", "Fees (trade fees and FEE rows) over the volume bought and sold are at most the threshold.",
                 value: volume > 0 ? fees / d(volume) : nil) { r, v in v <= r.threshold! },
            rule("cash_share", "Cash (buying power) is between min and max of the value.",
                 value: total > 0 ? d(h.cash) / total : nil) { r, v in v >= r.min! && v <= r.max! },
            rule("max_drawdown", "The TWR index's maximum drawdown since inception is no deeper than the threshold.",
                 value: drawdown) { r, v in v >= r.threshold! },
            rule("positions", "At least the threshold number of open positions (diversification).",
                 value: Double(open.count)) { r, v in v >= r.threshold! },
        ]
    }

    @Sendable func xray(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let q = QueryReader(request)
        let method = try Self.method(q)
        let today = LedgerRules.today()
        let loaded = try await load(context, method: method)
        let h = loaded.portfolio.holdings(at: today)
        var drawdown = 0.0
        if let inception = loaded.inception, inception <= today {
            do { drawdown = try loaded.portfolio.performance(DateRange(from: inception, to: today)).maxDrawdown.depth } catch { throw Self.quant(error) }
        }
        let instruments = try await market.instruments(h.positions.filter { $0.quantity != 0 }.map(\.symbol), MarketClient.Caller(context))
        let rules = Self.rules(h, ledger: loaded.ledger, drawdown: drawdown, instruments: instruments, base: loaded.record.baseCurrency,
                               settings: Self.settings(loaded.record), rates: loaded.rates)
        struct Body: Encodable { let date: LocalDate; let rules: [RuleResult]; let passed: Int; let failed: Int; let warnings: [String] }
        return try JSONResponse(encoding: Body(date: today, rules: rules, passed: rules.filter { $0.pass == true }.count,
                                               failed: rules.filter { $0.pass == false }.count, warnings: loaded.warnings(h)))
    }
}
