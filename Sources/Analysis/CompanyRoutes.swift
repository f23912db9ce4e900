import Foundation
import Hummingbird
import Quant
import ServiceKit

/// `/ratios`, `/companies`, `/sectors` and `/compare`: fundamentals from `data` through Quant's ratios and
/// statement analysis; comparisons with percentile ranks, correlations and relative performance.
struct CompanyRoutes: Sendable {
    let kit: AnalysisKit
    var market: MarketSource { kit.market }

    func add(to router: ServiceRouter) {
        router.on(AnalysisContract.ratios, use: ratios)
        router.on(AnalysisContract.company, use: company)
        router.on(AnalysisContract.sector, use: sector)
        router.on(AnalysisContract.compare, use: compare)
    }

    /// Bars when `data` has them (statements exist for symbols without prices too).
    func barsIfAny(_ symbol: String, _ caller: MarketSource.Caller) async throws -> CachedBars? {
        do { return try await market.bars(symbol, caller) } catch let p as Problem where p.status == .notFound { return nil }
    }

    struct RatiosAnswer: Encodable {
        var symbol: String
        var period: String
        var price: String
        var periods: [StatementMapping.RatiosView]
    }

    @Sendable func ratios(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let symbol = try AnalysisKit.symbol(context)
        let q = QueryReader.collecting(request)
        let period = try q.string("period", oneOf: ["annual", "quarterly"]) ?? "annual"
        let price = try q.string("price", oneOf: ["statement", "latest"]) ?? "statement"
        try q.check()
        let caller = MarketSource.Caller(context)
        let records = try await market.statements(symbol, period: period, caller)
        guard !records.isEmpty else {
            guard try await market.instrument(symbol, caller) != nil else { throw Problem.notFound("No instrument \(symbol) in the data service.") }
            return try AnalysisKit.conditional(RatiosAnswer(symbol: symbol, period: period, price: price, periods: []), request, context)
        }
        let bars = try await barsIfAny(symbol, caller)
        let body = try AnalysisKit.json(RatiosAnswer(symbol: symbol, period: period, price: price,
                                                     periods: StatementMapping.ratioViews(StatementMapping.periods(records), bars: bars?.bars, latest: price == "latest")))
        return try ConditionalResponse(body: ByteBuffer(bytes: body), contentType: "application/json").response(from: request, context: context)
    }

    struct CompanyAnswer: Encodable {
        var symbol: String
        var profile: InstrumentInfo
        var period: String
        var latestClose: Double?
        var latestDate: String?
        var ratios: StatementMapping.RatiosView?
        var analysis: StatementAnalysis?

        enum CodingKeys: String, CodingKey {
            case symbol, profile, period, ratios, analysis
            case latestClose = "latest_close"
            case latestDate = "latest_date"
        }
    }

    @Sendable func company(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let symbol = try AnalysisKit.symbol(context)
        let q = QueryReader.collecting(request)
        let period = try q.string("period", oneOf: ["annual", "quarterly"]) ?? "annual"
        try q.check()
        let caller = MarketSource.Caller(context)
        guard let profile = try await market.instrument(symbol, caller) else { throw Problem.notFound("No instrument \(symbol) in the data service.") }
        let bars = try await barsIfAny(symbol, caller)
        let periods = StatementMapping.periods(try await market.statements(symbol, period: period, caller))
        var analysis: StatementAnalysis?
        if !periods.isEmpty {
            do {
                analysis = try StatementAnalysis(periods: periods.map { StatementPeriod(period: $0.period, end: $0.end, statements: $0.statements) })
            } catch {
                throw AnalysisKit.unprocessable(error)
            }
        }
        let answer = CompanyAnswer(symbol: symbol, profile: profile, period: period, latestClose: bars?.bars.close.last, latestDate: bars?.bars.dates.last,
                                   ratios: periods.first.map { StatementMapping.ratioViews([$0], bars: bars?.bars, latest: true)[0] }, analysis: analysis)
        return try ConditionalResponse(body: ByteBuffer(bytes: try AnalysisKit.json(answer)), contentType: "application/json")
            .response(from: request, context: context)
    }

    // MARK: comparison

    struct CompareInput: Decodable {
        var symbols: [String]?
        var sector: String?
        var from: String?
        var to: String?
    }

    struct ComparisonAnswer: Encodable {
        struct Row: Encodable {
            var symbol: String
            var metrics: [String: Double?]
            var ratios: [String: Double?]
            var percentiles: [String: Double?]
        }
        struct Rebased: Encodable {
            var dates: [String]
            var series: [String: [Double]]
        }
        var symbols: [String]
        var from: String?
        var to: String?
        var rows: [Row]
        var correlation: [[Double?]]
        var rebased: Rebased
        var notFound: [String]

        enum CodingKeys: String, CodingKey {
            case symbols, from, to, rows, correlation, rebased
            case notFound = "not_found"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(symbols, forKey: .symbols)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(rows, forKey: .rows)
            try c.encode(correlation, forKey: .correlation)
            try c.encode(rebased, forKey: .rebased)
            try c.encode(notFound, forKey: .notFound)
        }
    }

    /// Metrics compared (higher is better for every one but volatility and drawdown depth, whose percentile is of
    /// the value as it is: a higher percentile is a higher value).
    static let compared = ["total_return", "annual_return", "annual_volatility", "sharpe", "sortino", "max_drawdown"]
    static let comparedRatios = ["pe", "pb", "ps", "ev_ebitda", "roe", "roa", "net_margin", "debt_to_equity", "dividend_yield"]

    func comparison(_ symbols: [String], from: String?, to: String?, caller: MarketSource.Caller) async throws -> ComparisonAnswer {
        var loaded: [(symbol: String, bars: OHLCV)] = [], missing: [String] = []
        for s in symbols {
            if let b = try await barsIfAny(s, caller) { loaded.append((s, b.bars)) } else { missing.append(s) }
        }
        guard !loaded.isEmpty else { throw Problem.notFound("None of \(symbols.joined(separator: ", ")) has bars in the data service.") }
        // Common days in the range: the relative performance, the returns for metrics and correlations.
        let rebased: (dates: [String], series: [(name: String, values: [Double])])
        do {
            rebased = try Comparison.rebased(loaded.map { s in
                let w = AnalysisKit.window(s.bars.dates, from, to)
                return (name: s.symbol, dates: Array(s.bars.dates[w]), values: Array(s.bars.close[w]))
            })
        } catch {
            throw AnalysisKit.unprocessable(error)
        }
        guard rebased.dates.count >= 3 else {
            throw Problem(status: .unprocessableContent, slug: "too-few-bars", detail: "The symbols share fewer than three days in the range.")
        }
        var returns: [[Double]] = []
        var rows: [ComparisonAnswer.Row] = []
        for (name, values) in rebased.series {
            let r = try Metrics.simpleReturns(prices: values)
            returns.append(r)
            let report = try PerformanceReport(returns: r)
            let metrics: [String: Double?] = [
                "total_return": report.cumulativeReturn, "annual_return": report.annualReturn, "annual_volatility": report.annualVolatility,
                "sharpe": report.sharpe, "sortino": report.sortino, "max_drawdown": report.maxDrawdown.depth,
            ]
            let periods = StatementMapping.periods(try await market.statements(name, period: "annual", caller))
            let bars = loaded.first { $0.symbol == name }?.bars
            let ratios = periods.first.map { StatementMapping.ratioViews([$0], bars: bars, latest: true)[0].ratios } ?? [:]
            rows.append(.init(symbol: name, metrics: metrics, ratios: Dictionary(uniqueKeysWithValues: Self.comparedRatios.map { ($0, ratios[$0] ?? nil) }),
                              percentiles: [:]))
        }
        for key in Self.compared {
            let ranks = Comparison.percentileRanks(rows.map { $0.metrics[key] ?? nil })
            for i in rows.indices { rows[i].percentiles[key] = ranks[i] }
        }
        for key in Self.comparedRatios {
            let ranks = Comparison.percentileRanks(rows.map { $0.ratios[key] ?? nil })
            for i in rows.indices { rows[i].percentiles[key] = ranks[i] }
        }
        let correlation = try Metrics.correlationMatrix(returns)
        return ComparisonAnswer(symbols: rebased.series.map(\.name), from: rebased.dates.first, to: rebased.dates.last, rows: rows,
                                correlation: correlation,
                                rebased: .init(dates: rebased.dates, series: Dictionary(uniqueKeysWithValues: rebased.series.map { ($0.name, $0.values) })),
                                notFound: missing)
    }

    /// The symbols of a sector (case-insensitive), from every instrument `data` lists.
    func members(_ sector: String, _ caller: MarketSource.Caller) async throws -> [String] {
        let wanted = sector.lowercased()
        let members = try await market.instruments(caller).filter { $0.sector?.lowercased() == wanted }.map(\.symbol)
        guard !members.isEmpty else { throw Problem.notFound("No instrument of the sector '\(sector)' in the data service.") }
        guard members.count <= 50 else {
            throw Problem(status: .unprocessableContent, slug: "too-many-symbols",
                          detail: "The sector '\(sector)' has \(members.count) instruments; a comparison takes at most 50 (POST /compare with symbols).")
        }
        return members
    }

    @Sendable func sector(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let sector = try context.parameters.require("sector")
        let q = QueryReader.collecting(request)
        let (from, to) = try AnalysisKit.range(q)
        try q.check()
        let caller = MarketSource.Caller(context)
        return try AnalysisKit.conditional(try await comparison(try await members(sector, caller), from: from, to: to, caller: caller), request, context)
    }

    @Sendable func compare(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: CompareInput.self, context: context)
        var errors: [FieldError] = []
        if (input.symbols == nil) == (input.sector == nil) { errors.append(FieldError(field: "/symbols", reason: "give symbols or sector, not both")) }
        if let s = input.symbols, s.isEmpty || s.count > 50 { errors.append(FieldError(field: "/symbols", reason: "needs 1 to 50 symbols")) }
        for (name, value) in [("from", input.from), ("to", input.to)] where value != nil && LocalDate(value!) == nil {
            errors.append(FieldError(field: "/\(name)", reason: "is not a date (YYYY-MM-DD)"))
        }
        if let f = input.from, let t = input.to, f > t { errors.append(FieldError(field: "/to", reason: "is before from")) }
        guard errors.isEmpty else { throw Problem.validation("The comparison is invalid.", errors: errors) }
        let caller = MarketSource.Caller(context)
        var symbols = Array(NSOrderedSet(array: (input.symbols ?? []).map { $0.uppercased() })).compactMap { $0 as? String }
        if let sector = input.sector { symbols = try await members(sector, caller) }
        return try JSONResponse(encoding: try await comparison(symbols, from: input.from, to: input.to, caller: caller))
    }
}
