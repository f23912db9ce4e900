import Foundation
import Hummingbird
import Quant
import ServiceKit

/// What several routes share: the symbol, the range, the interval, cached answers.
struct AnalysisKit: Sendable {
    let market: MarketSource

    /// `{symbol}` upper-cased (a trailing `.svg` removed when `svg`), checked.
    static func symbol(_ context: ServiceRequestContext, svg: Bool = false) throws -> String {
        var s = try context.parameters.require("symbol").uppercased()
        if svg, s.hasSuffix(".SVG") { s.removeLast(4) }
        guard (try? /^[A-Z0-9][A-Z0-9.\-^=_]{0,39}$/.wholeMatch(in: s)) != nil else {
            throw Problem.badRequest("'\(s)' is not a symbol (letters, digits and . - ^ = _).")
        }
        return s
    }

    /// `from` and `to` (either absent), `from` not after `to`.
    static func range(_ q: QueryReader) throws -> (from: String?, to: String?) {
        let from = try q.date("from"), to = try q.date("to")
        if let from, let to, from > to { throw Problem.badRequest("from (\(from)) is after to (\(to)).") }
        return (from, to)
    }

    static func interval(_ q: QueryReader) throws -> BarInterval {
        switch try q.string("interval", oneOf: ["1d", "1w", "1mo"]) ?? "1d" {
        case "1w": return .week
        case "1mo": return .month
        default: return .day
        }
    }

    /// The bars resampled to `interval` (daily bars unchanged).
    static func resampled(_ bars: OHLCV, _ interval: BarInterval) throws -> OHLCV {
        guard interval != .day else { return bars }
        let daily = bars.dates.indices.map {
            DailyBar(date: bars.dates[$0], open: bars.open[$0], high: bars.high[$0], low: bars.low[$0], close: bars.close[$0],
                     adjClose: bars.close[$0], volume: bars.volume[$0])
        }
        let r = try Resampler.resample(daily, to: interval)
        return try OHLCV(dates: r.map(\.date), open: r.map(\.open), high: r.map(\.high), low: r.map(\.low), close: r.map(\.close),
                         volume: r.map(\.volume))
    }

    /// Indices of `dates` within `from...to`.
    static func window(_ dates: [String], _ from: String?, _ to: String?) -> Range<Int> {
        let lo = from.map { f in dates.firstIndex { $0 >= f } ?? dates.count } ?? 0
        let hi = to.map { t in dates.lastIndex { $0 <= t }.map { $0 + 1 } ?? 0 } ?? dates.count
        return lo..<max(lo, hi)
    }

    /// A cached answer for `key` (computed by `make` on a miss), with its ETag and Cache-Control.
    func cached(_ key: String, kind: String, symbols: [String], contentType: String, request: Request, context: ServiceRequestContext,
                _ make: () async throws -> [UInt8]) async throws -> Response {
        let body: [UInt8]
        if let hit = await market.cache.answer(key, kind: kind) {
            body = hit.body
        } else {
            body = try await make()
            await market.cache.store(key, .init(body: body, contentType: contentType, symbols: symbols))
        }
        return try ConditionalResponse(body: ByteBuffer(bytes: body), contentType: contentType, cacheControl: "private, max-age=30")
            .response(from: request, context: context)
    }

    static func json(_ value: some Encodable) throws -> [UInt8] { Array(try ServiceJSON.encoder().encode(value)) }

    /// A JSON answer with its `ETag` and `Cache-Control` (every GET of the service answers so; `If-None-Match` → 304).
    static func conditional(_ value: some Encodable, _ request: Request, _ context: ServiceRequestContext) throws -> Response {
        try ConditionalResponse(body: ByteBuffer(bytes: try json(value)), contentType: "application/json").response(from: request, context: context)
    }

    /// A Quant error about the request's numbers becomes a 422 naming the parameter; anything else stays as it is.
    static func unprocessable(_ error: any Error) -> any Error {
        guard let error = error as? QuantError else { return error }
        return Problem(status: .unprocessableContent, slug: "unprocessable", detail: error.description)
    }
}

/// Values as JSON numbers with NaN (warm-up, undefined) as null.
struct Nullable: Encodable {
    let values: ArraySlice<Double>
    func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for v in values { if v.isFinite { try c.encode(v) } else { try c.encodeNil() } }
    }
}

/// `/indicators` and `/metrics`.
struct SeriesRoutes: Sendable {
    let kit: AnalysisKit
    var market: MarketSource { kit.market }

    func add(to router: ServiceRouter) {
        router.on(AnalysisContract.catalogue, use: catalogue)
        router.on(AnalysisContract.indicators, use: indicators)
        router.on(AnalysisContract.indicatorsBatch, use: indicatorsBatch)
        router.on(AnalysisContract.metrics, use: metrics)
        router.on(AnalysisContract.metricsOfSeries, use: metricsOfSeries)
    }

    struct CatalogueItem: Encodable {
        struct Parameter: Encodable { var name: String; var `default`: Double; var minimum: Double; var maximum: Double; var integer: Bool }
        var name: String
        var summary: String
        var overlay: Bool
        var outputs: [String]
        var parameters: [Parameter]
    }

    @Sendable func catalogue(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try AnalysisKit.conditional(["items": IndicatorSpec.catalogue.map { d in
            CatalogueItem(name: d.name, summary: d.summary, overlay: d.overlay, outputs: d.outputs, parameters: d.parameters.map {
                .init(name: $0.name, default: $0.defaultValue, minimum: $0.range.lowerBound, maximum: $0.range.upperBound, integer: $0.integer)
            })
        }], request, context)
    }

    /// The indicator series answer.
    struct Series: Encodable {
        var symbol: String
        var interval: String
        var dates: [String]
        var names: [String]
        var columns: [String: Nullable]
    }

    /// Computes `specs` over the symbol's whole history (resampled), then cuts to the range.
    static func compute(_ symbol: String, _ bars: OHLCV, _ specs: [IndicatorSpec], interval: BarInterval, from: String?, to: String?)
        throws -> (table: IndicatorTable, window: Range<Int>) {
        let series = try AnalysisKit.resampled(bars, interval)
        var columns: [IndicatorTable.Column] = []
        do {
            for spec in specs { columns += try spec.compute(series) }
        } catch {
            throw AnalysisKit.unprocessable(error)
        }
        return (IndicatorTable(dates: series.dates, columns: columns), AnalysisKit.window(series.dates, from, to))
    }

    static func specs(_ names: String) throws -> [IndicatorSpec] {
        do { return try IndicatorSpec.parseList(names) } catch { throw Problem.badRequest("names: \(error.description)") }
    }

    @Sendable func indicators(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let symbol = try AnalysisKit.symbol(context)
        let q = QueryReader.collecting(request)
        let names = try q.string("names", maxLength: 2000)
        let (from, to) = try AnalysisKit.range(q)
        let interval = try AnalysisKit.interval(q)
        try q.check()
        guard let names else { throw Problem.badRequest("names is required, e.g. names=sma:20,rsi:14") }
        let specs = try Self.specs(names)
        let csv = (request.headers[.accept] ?? "").contains("text/csv")
        let cached = try await market.bars(symbol, MarketSource.Caller(context))
        let key = "indicators|\(symbol)|\(cached.version)|\(specs.map(\.description).joined(separator: ","))|\(from ?? "")|\(to ?? "")|\(interval.rawValue)|\(csv)"
        return try await kit.cached(key, kind: "indicators", symbols: [symbol], contentType: csv ? "text/csv; charset=utf-8" : "application/json",
                                    request: request, context: context) {
            let (table, window) = try Self.compute(symbol, cached.bars, specs, interval: interval, from: from, to: to)
            if csv {
                let cut = IndicatorTable(dates: Array(table.dates[window]), columns: table.columns.map {
                    IndicatorTable.Column(name: $0.name, values: Array($0.values[window]))
                })
                return Array(cut.csv().utf8)
            }
            return try AnalysisKit.json(Series(
                symbol: symbol, interval: Self.intervalName(interval), dates: Array(table.dates[window]), names: table.columns.map(\.name),
                columns: Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, Nullable(values: $0.values[window])) })))
        }
    }

    static func intervalName(_ i: BarInterval) -> String { i == .day ? "1d" : i == .week ? "1w" : "1mo" }

    struct BatchInput: Decodable {
        var symbols: [String]
        var names: String
        var from: String?
        var to: String?
        var interval: String?
    }

    @Sendable func indicatorsBatch(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: BatchInput.self, context: context)
        var errors: [FieldError] = []
        if input.symbols.isEmpty || input.symbols.count > 100 { errors.append(FieldError(field: "/symbols", reason: "needs 1 to 100 symbols")) }
        for key in [("from", input.from), ("to", input.to)] where key.1.flatMap(LocalDate.init) == nil && key.1 != nil {
            errors.append(FieldError(field: "/\(key.0)", reason: "is not a date (YYYY-MM-DD)"))
        }
        if let i = input.interval, !["1d", "1w", "1mo"].contains(i) { errors.append(FieldError(field: "/interval", reason: "must be 1d, 1w or 1mo")) }
        let specs: [IndicatorSpec]
        do { specs = try IndicatorSpec.parseList(input.names) } catch {
            errors.append(FieldError(field: "/names", reason: error.description))
            specs = []
        }
        guard errors.isEmpty else { throw Problem.validation("The request is invalid.", errors: errors) }
        let interval: BarInterval = input.interval == "1w" ? .week : input.interval == "1mo" ? .month : .day
        let caller = MarketSource.Caller(context)
        var series: [String: Series] = [:]
        var missing: [String] = []
        for symbol in Array(Set(input.symbols.map { $0.uppercased() })).sorted() {
            let cached: CachedBars
            do { cached = try await market.bars(symbol, caller) } catch let p as Problem where p.status == .notFound {
                missing.append(symbol)
                continue
            }
            let (table, window) = try Self.compute(symbol, cached.bars, specs, interval: interval, from: input.from, to: input.to)
            series[symbol] = Series(symbol: symbol, interval: Self.intervalName(interval), dates: Array(table.dates[window]), names: table.columns.map(\.name),
                                    columns: Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, Nullable(values: $0.values[window])) }))
        }
        struct Body: Encodable { var series: [String: Series]; var notFound: [String]
            enum CodingKeys: String, CodingKey { case series; case notFound = "not_found" } }
        return try JSONResponse(encoding: Body(series: series, notFound: missing))
    }

    // MARK: metrics

    @Sendable func metrics(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let symbol = try AnalysisKit.symbol(context)
        let q = QueryReader.collecting(request)
        let (from, to) = try AnalysisKit.range(q)
        let benchmark = try q.string("benchmark", maxLength: 40)?.uppercased()
        let riskFree = try q.double("risk_free", in: -0.01...0.01) ?? 0
        let rolling = try q.int("rolling", in: 2...2520)
        try q.check()
        let caller = MarketSource.Caller(context)
        let bars = try await market.bars(symbol, caller)
        var reference: CachedBars?
        if let benchmark { reference = try await market.bars(benchmark, caller) }
        let key = "metrics|\(symbol)|\(bars.version)|\(benchmark ?? "")|\(reference?.version ?? "")|\(from ?? "")|\(to ?? "")|\(riskFree)|\(rolling ?? 0)"
        return try await kit.cached(key, kind: "metrics", symbols: [symbol] + (benchmark.map { [$0] } ?? []), contentType: "application/json",
                                    request: request, context: context) {
            let b = bars.bars
            var dates = b.dates, closes = b.close, other: [Double]?
            if let reference {
                let aligned = try Metrics.alignByDate(dates: b.dates, prices: b.close, benchmarkDates: reference.bars.dates, benchmarkPrices: reference.bars.close)
                (dates, closes, other) = (aligned.dates, aligned.prices, aligned.benchmark)
            }
            let window = AnalysisKit.window(dates, from, to)
            guard window.count >= 2 else { throw Problem(status: .unprocessableContent, slug: "too-few-bars", detail: "Metrics need at least two closes in the range; \(symbol) has \(window.count).") }
            let report = try MetricsReport(
                dates: Array(dates[window]), closes: Array(closes[window]), benchmark: other.map { Array($0[window]) }, riskFree: riskFree,
                periodsPerYear: Metrics.tradingDaysPerYear, rolling: rolling)
            var view = report
            view.symbol = symbol
            view.benchmarkSymbol = benchmark
            return try AnalysisKit.json(view)
        }
    }

    struct SeriesInput: Decodable {
        var returns: [Double]
        var benchmark: [Double]?
        var dates: [String]?
        var periodsPerYear: Double?
        var riskFree: Double?
        var rolling: Int?
        enum CodingKeys: String, CodingKey {
            case returns, benchmark, dates, rolling
            case periodsPerYear = "periods_per_year"
            case riskFree = "risk_free"
        }
    }

    @Sendable func metricsOfSeries(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: SeriesInput.self, context: context)
        var errors: [FieldError] = []
        if let b = input.benchmark, b.count != input.returns.count { errors.append(FieldError(field: "/benchmark", reason: "needs \(input.returns.count) values, one per return")) }
        if let d = input.dates, d.count != input.returns.count { errors.append(FieldError(field: "/dates", reason: "needs \(input.returns.count) dates, one per return")) }
        if let r = input.rolling, r < 2 || r > input.returns.count {
            errors.append(FieldError(field: "/rolling", reason: "must be at least 2 and at most the number of returns (\(input.returns.count))"))
        }
        guard errors.isEmpty else { throw Problem.validation("The series is invalid.", errors: errors) }
        do {
            let report = try MetricsReport(returns: input.returns, dates: input.dates, benchmark: input.benchmark, riskFree: input.riskFree ?? 0,
                                           periodsPerYear: input.periodsPerYear ?? Metrics.tradingDaysPerYear, rolling: input.rolling)
            return try JSONResponse(encoding: report)
        } catch let error as QuantError {
            throw AnalysisKit.unprocessable(error)
        }
    }
}

/// The metrics answer: Quant's `PerformanceReport` of the returns, with drawdown dates and optional rolling series.
struct MetricsReport: Encodable {
    var symbol: String?
    var benchmarkSymbol: String?
    var from: String?
    var to: String?
    let report: PerformanceReport
    /// The date of each point of the wealth curve (point 0 before the first return), for the drawdown's dates.
    var points: [String?]?
    let rolling: Rolling?

    struct Rolling: Encodable {
        var window: Int
        var dates: [String]?
        var volatility: [Double?]
        var sharpe: [Double?]
        var beta: [Double?]?
    }

    /// From closes: simple close-to-close returns, dated by the later close.
    init(dates: [String], closes: [Double], benchmark: [Double]?, riskFree: Double, periodsPerYear: Double, rolling: Int?) throws {
        do {
            let returns = try Metrics.simpleReturns(prices: closes)
            let reference = try benchmark.map { b throws(QuantError) in try Metrics.simpleReturns(prices: b) }
            try self.init(returns: returns, dates: Array(dates.dropFirst()), benchmark: reference, riskFree: riskFree, periodsPerYear: periodsPerYear,
                          rolling: rolling)
            from = dates.first
            to = dates.last
            points = dates
        } catch let error as QuantError {
            throw AnalysisKit.unprocessable(error)
        }
    }

    init(returns: [Double], dates: [String]?, benchmark: [Double]?, riskFree: Double, periodsPerYear: Double, rolling: Int?) throws {
        report = try PerformanceReport(returns: returns, benchmark: benchmark, periodsPerYear: periodsPerYear, riskFree: riskFree)
        let figures: [Double?] = [
            report.cumulativeReturn, report.annualReturn, report.annualVolatility, report.sharpe, report.sortino, report.downsideRisk,
            report.calmar, report.omega, report.tailRisk.valueAtRisk, report.tailRisk.conditionalValueAtRisk, report.parametricValueAtRisk,
            report.benchmark?.beta, report.benchmark?.alpha,
        ]
        guard figures.allSatisfy({ $0?.isFinite ?? true }) else {
            throw Problem(status: .unprocessableContent, slug: "out-of-range",
                          detail: "These returns compound (or annualise) beyond the largest representable number; no metric is meaningful for them.")
        }
        points = dates.map { [nil] + $0 }
        from = dates?.first
        to = dates?.last
        if let window = rolling, window <= returns.count {
            let volatility = try Metrics.rollingVolatility(returns, window: window, periodsPerYear: periodsPerYear)
            // Element k covers returns k ..< k + window and is dated by the last of them.
            self.rolling = Rolling(
                window: window, dates: dates.map { Array($0.suffix(volatility.count)) }, volatility: volatility.map { $0.isFinite ? $0 : nil },
                sharpe: try Metrics.rollingSharpe(returns, window: window, riskFree: riskFree, periodsPerYear: periodsPerYear),
                beta: try benchmark.map { b throws(QuantError) in try Metrics.rollingBeta(returns, benchmark: b, window: window) })
        } else {
            self.rolling = nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case symbol, benchmark, from, to, count, sharpe, sortino, calmar, omega, beta, alpha, rolling
        case periodsPerYear = "periods_per_year", riskFree = "risk_free", cumulativeReturn = "cumulative_return"
        case annualReturn = "annual_return", annualVolatility = "annual_volatility", downsideRisk = "downside_risk"
        case maxDrawdown = "max_drawdown", valueAtRisk = "value_at_risk", conditionalValueAtRisk = "conditional_value_at_risk"
        case parametricValueAtRisk = "parametric_value_at_risk"
    }

    struct DrawdownView: Encodable {
        var depth: Double
        var peak: Int?
        var trough: Int?
        var recovery: Int?
        var peakDate: String?
        var troughDate: String?
        var recoveryDate: String?
        enum CodingKeys: String, CodingKey {
            case depth, peak, trough, recovery
            case peakDate = "peak_date", troughDate = "trough_date", recoveryDate = "recovery_date"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let r = report
        try c.encodeIfPresent(symbol, forKey: .symbol)
        try c.encodeIfPresent(benchmarkSymbol, forKey: .benchmark)
        try c.encodeIfPresent(from, forKey: .from)
        try c.encodeIfPresent(to, forKey: .to)
        try c.encode(r.count, forKey: .count)
        try c.encode(r.periodsPerYear, forKey: .periodsPerYear)
        try c.encode(r.riskFree, forKey: .riskFree)
        try c.encode(r.cumulativeReturn, forKey: .cumulativeReturn)
        try c.encode(r.annualReturn, forKey: .annualReturn)
        try c.encode(r.annualVolatility, forKey: .annualVolatility)
        try c.encode(r.sharpe, forKey: .sharpe)
        try c.encode(r.sortino, forKey: .sortino)
        try c.encode(r.downsideRisk, forKey: .downsideRisk)
        try c.encode(r.calmar, forKey: .calmar)
        try c.encode(r.omega, forKey: .omega)
        let e = r.maxDrawdown.episode
        // Episode positions are points of the wealth curve (point i: after i returns; for closes, price row i).
        func day(_ i: Int?) -> String? { i.flatMap { i in points.flatMap { i < $0.count ? $0[i] : nil } } }
        try c.encode(DrawdownView(depth: r.maxDrawdown.depth, peak: e?.peak, trough: e?.trough, recovery: e?.recovery,
                                  peakDate: day(e?.peak), troughDate: day(e?.trough), recoveryDate: day(e?.recovery)), forKey: .maxDrawdown)
        try c.encode(r.tailRisk.valueAtRisk, forKey: .valueAtRisk)
        try c.encode(r.tailRisk.conditionalValueAtRisk, forKey: .conditionalValueAtRisk)
        try c.encode(r.parametricValueAtRisk, forKey: .parametricValueAtRisk)
        try c.encode(r.benchmark?.beta, forKey: .beta)
        try c.encode(r.benchmark?.alpha, forKey: .alpha)
        try c.encodeIfPresent(rolling, forKey: .rolling)
    }
}
