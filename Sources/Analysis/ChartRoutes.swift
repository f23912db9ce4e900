import Charts
import Foundation
import Hummingbird
import Quant
import ServiceKit

/// `/charts`: SVG drawn by the project's renderer (`Charts`) from bars and Quant's indicators.
struct ChartRoutes: Sendable {
    let kit: AnalysisKit
    var market: MarketSource { kit.market }

    func add(to router: ServiceRouter) {
        router.on(AnalysisContract.compareChart, use: compare)
        router.on(AnalysisContract.equityChart, use: equity)
        router.on(AnalysisContract.chart, use: chart)
    }

    static let svgType = "image/svg+xml"

    struct Size {
        var width: Int
        var height: Int
        var theme: ChartTheme
        var log: Bool
    }

    static func size(_ q: QueryReader, height: Int) throws -> Size {
        Size(width: try q.int("width", in: 200...4000) ?? 1000, height: try q.int("height", in: 150...3000) ?? height,
             theme: try q.string("theme", oneOf: ["light", "dark"]) == "dark" ? .dark : .light, log: try q.bool("log") ?? false)
    }

    /// Panes as asked: `volume`, or indicators in their own pane with their usual guides (RSI 30/70, stochastics
    /// 20/80, Williams %R −20/−80, MFI 20/80; MACD and PPO with their histogram).
    static func panes(_ text: String?) throws -> [String] {
        guard let text else { return [] }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    @Sendable func chart(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let symbol = try AnalysisKit.symbol(context, svg: true)
        let q = QueryReader.collecting(request)
        let (from, to) = try AnalysisKit.range(q)
        let interval = try AnalysisKit.interval(q)
        let style = PriceStyle(rawValue: try q.string("type", oneOf: PriceStyle.allCases.map(\.rawValue)) ?? "candles") ?? .candles
        let overlaysText = try q.string("overlays", maxLength: 500)
        let panesText = try q.string("panes", maxLength: 500)
        let size = try Self.size(q, height: 600)
        try q.check()
        let overlays: [IndicatorSpec]
        do { overlays = try overlaysText.map(IndicatorSpec.parseList) ?? [] } catch { throw Problem.badRequest("overlays: \(error.description)") }
        if let bad = overlays.first(where: { !$0.definition.overlay }) {
            throw Problem.badRequest("overlays: \(bad.name) is drawn in its own pane; ask for it in panes")
        }
        let paneNames = try Self.panes(panesText)
        var paneSpecs: [IndicatorSpec?] = []
        for name in paneNames {
            if name == "volume" { paneSpecs.append(nil); continue }
            do { paneSpecs.append(try IndicatorSpec(parsing: name)) } catch { throw Problem.badRequest("panes: \(error.description)") }
        }
        if paneSpecs.count > 4 { throw Problem.badRequest("panes: at most 4") }
        let cached = try await market.bars(symbol, MarketSource.Caller(context))
        let key = "chart|\(symbol)|\(cached.version)|\(request.uri.query ?? "")"
        return try await kit.cached(key, kind: "charts", symbols: [symbol], contentType: Self.svgType, request: request, context: context) {
            let series = try AnalysisKit.resampled(cached.bars, interval)
            let window = AnalysisKit.window(series.dates, from, to)
            guard window.count >= 2 else {
                throw Problem(status: .unprocessableContent, slug: "too-few-bars", detail: "A chart needs at least two bars in the range; \(symbol) has \(window.count).")
            }
            func cut(_ v: [Double]) -> [Double] { Array(v[window]) }
            var chart = PriceChart(dates: Array(series.dates[window]), open: cut(series.open), high: cut(series.high), low: cut(series.low),
                                   close: cut(series.close), volume: cut(series.volume), style: style,
                                   title: "\(symbol) \(StrategyInterval.name(interval))", width: size.width, height: size.height, theme: size.theme,
                                   logScale: size.log)
            do {
                for spec in overlays {
                    for column in try spec.compute(series) { chart.addOverlay(column.name, values: cut(column.values)) }
                }
                for spec in paneSpecs {
                    guard let spec else {
                        chart.addPane("Volume", series: [("Volume", cut(series.volume))], style: .volumeBars)
                        continue
                    }
                    let columns = try spec.compute(series)
                    let lines = columns.map { (name: $0.name, values: cut($0.values)) }
                    switch spec.name {
                    case "macd", "ppo": chart.addPane(spec.description.uppercased(), series: lines, style: .histogramLast, guides: [0])
                    case "rsi": chart.addPane(spec.description.uppercased(), series: lines, guides: [30, 70])
                    case "stoch", "stochf", "stochrsi", "mfi": chart.addPane(spec.description.uppercased(), series: lines, guides: [20, 80])
                    case "willr": chart.addPane(spec.description.uppercased(), series: lines, guides: [-80, -20])
                    case "cci": chart.addPane(spec.description.uppercased(), series: lines, guides: [-100, 100])
                    default: chart.addPane(spec.description.uppercased(), series: lines)
                    }
                }
            } catch {
                throw AnalysisKit.unprocessable(error)
            }
            return Array(chart.svg().utf8)
        }
    }

    @Sendable func compare(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let q = QueryReader.collecting(request)
        let text = try q.string("symbols", maxLength: 500)
        let (from, to) = try AnalysisKit.range(q)
        let size = try Self.size(q, height: 500)
        try q.check()
        let symbols = Array(NSOrderedSet(array: (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
            .filter { !$0.isEmpty })).compactMap { $0 as? String }
        guard (1...12).contains(symbols.count) else { throw Problem.badRequest("symbols: give 1 to 12 comma-separated symbols") }
        let caller = MarketSource.Caller(context)
        var loaded: [(String, CachedBars)] = []
        for s in symbols { loaded.append((s, try await market.bars(s, caller))) }
        let key = "compare-chart|\(loaded.map { "\($0.0)@\($0.1.version)" }.joined(separator: ","))|\(request.uri.query ?? "")"
        return try await kit.cached(key, kind: "charts", symbols: symbols, contentType: Self.svgType, request: request, context: context) {
            let rebased: (dates: [String], series: [(name: String, values: [Double])])
            do {
                rebased = try Comparison.rebased(loaded.map { s, c in
                    let w = AnalysisKit.window(c.bars.dates, from, to)
                    return (name: s, dates: Array(c.bars.dates[w]), values: Array(c.bars.close[w]))
                })
            } catch {
                throw AnalysisKit.unprocessable(error)
            }
            guard rebased.dates.count >= 2 else {
                throw Problem(status: .unprocessableContent, slug: "too-few-bars", detail: "The symbols share fewer than two days in the range.")
            }
            let chart = LineChart(dates: rebased.dates, series: rebased.series, title: "Rebased to 100: \(symbols.joined(separator: ", "))",
                                  width: size.width, height: size.height, theme: size.theme, logScale: size.log)
            return Array(chart.svg().utf8)
        }
    }

    struct EquityInput: Decodable {
        var dates: [String]
        var series: [String: [Double]]
        var title: String?
        var width: Int?
        var height: Int?
        var theme: String?
        var log: Bool?
    }

    @Sendable func equity(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let input = try await request.decodeJSON(as: EquityInput.self, context: context)
        var errors: [FieldError] = []
        if input.dates.count < 2 { errors.append(FieldError(field: "/dates", reason: "needs at least 2 dates")) }
        if input.series.isEmpty || input.series.count > 12 { errors.append(FieldError(field: "/series", reason: "needs 1 to 12 series")) }
        for (name, values) in input.series.sorted(by: { $0.key < $1.key }) {
            if values.count != input.dates.count { errors.append(FieldError(field: "/series/\(name)", reason: "needs \(input.dates.count) values, one per date")) }
            if values.contains(where: { !$0.isFinite }) { errors.append(FieldError(field: "/series/\(name)", reason: "values must be finite")) }
        }
        if let w = input.width, !(200...4000).contains(w) { errors.append(FieldError(field: "/width", reason: "must lie in 200...4000")) }
        if let h = input.height, !(150...3000).contains(h) { errors.append(FieldError(field: "/height", reason: "must lie in 150...3000")) }
        if input.log == true, input.series.values.contains(where: { $0.contains { $0 <= 0 } }) {
            errors.append(FieldError(field: "/log", reason: "a log scale needs positive values"))
        }
        guard errors.isEmpty else { throw Problem.validation("The chart is invalid.", errors: errors) }
        let names = input.series.keys.sorted()
        let chart = LineChart(dates: input.dates, series: names.map { (name: $0, values: input.series[$0]!) }, title: input.title ?? "Equity",
                              width: input.width ?? 1000, height: input.height ?? 500, theme: input.theme == "dark" ? .dark : .light,
                              logScale: input.log ?? false, drawdownPane: true)
        let body = ByteBuffer(string: chart.svg())
        return Response(status: .ok, headers: [.contentType: Self.svgType, .contentLength: String(body.readableBytes)], body: .init(byteBuffer: body))
    }
}

enum StrategyInterval {
    static func name(_ i: BarInterval) -> String { i == .day ? "daily" : i == .week ? "weekly" : "monthly" }
}
