import BourseTesting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import Quant
import ServiceKit
import Testing
@testable import Analysis

@Suite("Analysis service: indicators, metrics, ratios, companies, screens, charts, cache", .serialized)
struct AnalysisServiceTests {
    static let names = "sma:20,ema:20,rsi:14,macd:12:26:9,bbands:20:2,atr:14,stoch:14:3:3,adx:14,obv"

    /// The CSV answer equals `bourse quant indicators` (IndicatorTable over the whole file) row by row inside the
    /// range, so the values at `from` are not warm-up; outside the range nothing is sent.
    @Test func indicatorsEqualTheQuantTableAcrossTheFromBoundary() async throws {
        try await AnalysisHarness.with { h in
            let reply = try await h.call(.get, "indicators/ORCL?names=\(Self.names)&from=2005-01-03&to=2006-12-29", accept: "text/csv")
            #expect(reply.status == .ok, "\(reply.text)")
            let whole = try IndicatorTable(bars: try PriceFiles.bars("ORCL")).csv().split(separator: "\n")
            let expected = [whole[0]] + whole.dropFirst().filter { $0.prefix(10) >= "2005-01-03" && $0.prefix(10) <= "2006-12-29" }
            let served = reply.text.split(separator: "\n")
            #expect(served.count == expected.count)
            #expect(served == expected)
            #expect(!served[1].contains(",,"), "the first row in the range has every value")
        }
    }

    /// JSON columns: warm-up values are null, never invented; the dates are the bars'.
    @Test func jsonColumnsHaveNullWarmUp() async throws {
        try await AnalysisHarness.with { h in
            let reply = try await h.call(.get, "indicators/ORCL?names=sma:20,macd")
            #expect(reply.status == .ok, "\(reply.text)")
            let columns = try #require(reply.json["columns"] as? [String: [Any]])
            let sma = try #require(columns["SMA_20"])
            #expect(sma.prefix(19).allSatisfy { $0 is NSNull })
            let reference = try Indicators.sma(try PriceFiles.bars("ORCL").close, period: 20)
            #expect(abs((sma[19] as? Double ?? 0) - reference[19]) < 1e-12)
            #expect(Set(columns.keys) == ["SMA_20", "MACD_12_26_9", "MACD_SIGNAL_12_26_9", "MACD_HIST_12_26_9"])
            #expect((reply.json["dates"] as? [String])?.count == reference.count)
            let weekly = try await h.call(.get, "indicators/ORCL?names=rsi:14&interval=1w")
            #expect(weekly.json["interval"] as? String == "1w")
            #expect(((weekly.json["dates"] as? [String])?.count ?? 0) < reference.count / 4)
        }
    }

    /// Bad names, parameters and ranges are 400s that say what is wrong; an unknown symbol is a 404.
    @Test func badRequestsNameTheProblem() async throws {
        try await AnalysisHarness.with { h in
            for (path, needle) in [
                ("indicators/ORCL?names=smaa:20", "smaa"), ("indicators/ORCL?names=sma:0", "sma.period"), ("indicators/ORCL?names=macd:26:12", "macd.fast"),
                ("indicators/ORCL?names=sma:20&from=2010-01-01&to=2009-01-01", "from"), ("indicators/ORCL", "names"),
                ("indicators/ORCL?names=sma:20&interval=2d", "interval"), ("charts/ORCL.svg?overlays=rsi:14", "rsi"),
            ] {
                let reply = try await h.call(.get, path)
                #expect(reply.status == .badRequest, "\(path): \(reply.status)")
                #expect(reply.text.contains(needle), "\(path): \(reply.text)")
                #expect(reply.headers[.contentType] == "application/problem+json")
            }
            #expect(try await h.call(.get, "indicators/ZZZZ?names=sma:20").status == .notFound)
        }
    }

    /// GETs carry an ETag and Cache-Control; a matching If-None-Match is a 304; repeated answers are cache hits; new
    /// bars (data.bars.stored) drop the symbol's entries and the next answer has the new values.
    @Test func answersAreCachedByVersionAndInvalidatedByNewBars() async throws {
        try await AnalysisHarness.with { h in
            let first = try await h.call(.get, "indicators/ORCL?names=sma:5&from=2014-12-01")
            let tag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl] != nil)
            let again = try await h.call(.get, "indicators/ORCL?names=sma:5&from=2014-12-01", headers: [.ifNoneMatch: tag])
            #expect(again.status == .notModified)
            let status = try await h.call(.get, "/api/status/cache", as: nil)
            let kinds = try #require(status.json["kinds"] as? [String: [String: Any]])
            #expect(kinds["indicators"]?["hits"] as? Int == 1)
            #expect(kinds["indicators"]?["misses"] as? Int == 1)

            // New bars: the last close doubles.
            let old = try PriceFiles.bars("ORCL")
            var close = old.close
            close[close.count - 1] *= 2
            h.data.set("ORCL", try OHLCV(dates: old.dates, open: old.open, high: old.high.enumerated().map { max($1, close[$0]) }, low: old.low,
                                         close: close, volume: old.volume))
            await h.service.cache.invalidate("ORCL")
            let after = try await h.call(.get, "indicators/ORCL?names=sma:5&from=2014-12-01", headers: [.ifNoneMatch: tag])
            #expect(after.status == .ok)
            let sma = try #require((after.json["columns"] as? [String: [Double]])?["SMA_5"])
            #expect(abs(sma.last! - (try Indicators.sma(close, period: 5)).last!) < 1e-12)
        }
    }

    /// Metrics of a symbol equal Quant's PerformanceReport of its close-to-close returns in the range, with beta
    /// against a benchmark aligned by date.
    @Test func metricsEqualQuantsReport() async throws {
        try await AnalysisHarness.with { h in
            let reply = try await h.call(.get, "metrics/NVDA?from=2005-01-03&to=2014-12-31&benchmark=ORCL&rolling=63")
            #expect(reply.status == .ok, "\(reply.text)")
            let nvda = try PriceFiles.bars("NVDA", from: "2005-01-03", to: "2014-12-31"), orcl = try PriceFiles.bars("ORCL", from: "2005-01-03", to: "2014-12-31")
            let aligned = try Metrics.alignByDate(dates: nvda.dates, prices: nvda.close, benchmarkDates: orcl.dates, benchmarkPrices: orcl.close)
            let report = try PerformanceReport(returns: try Metrics.simpleReturns(prices: aligned.prices),
                                               benchmark: try Metrics.simpleReturns(prices: aligned.benchmark))
            #expect(reply.json["count"] as? Int == report.count)
            #expect(abs((reply.json["sharpe"] as? Double ?? 0) - report.sharpe!) < 1e-12)
            #expect(abs((reply.json["beta"] as? Double ?? 0) - report.benchmark!.beta!) < 1e-12)
            #expect(abs((reply.json["cumulative_return"] as? Double ?? 0) - report.cumulativeReturn) < 1e-12)
            let drawdown = try #require(reply.json["max_drawdown"] as? [String: Any])
            #expect(drawdown["trough_date"] as? String == aligned.dates[report.maxDrawdown.episode!.trough])
            let rolling = try #require(reply.json["rolling"] as? [String: Any])
            let window = try Metrics.rollingSharpe(try Metrics.simpleReturns(prices: aligned.prices), window: 63)
            #expect((rolling["sharpe"] as? [Any])?.count == window.count)
            #expect((rolling["dates"] as? [String])?.first == aligned.dates[63])
            #expect(abs(((rolling["sharpe"] as? [Any])?.last as? Double ?? 0) - window.last!!) < 1e-12)

            let posted = try await h.call(.post, "metrics", json: #"{"returns":[0.01,-0.02,0.015,0.003,-0.001],"periods_per_year":12}"#)
            #expect(posted.status == .ok, "\(posted.text)")
            let direct = try PerformanceReport(returns: [0.01, -0.02, 0.015, 0.003, -0.001], periodsPerYear: 12)
            #expect(abs((posted.json["annual_return"] as? Double ?? 0) - direct.annualReturn) < 1e-12)
            let bad = try await h.call(.post, "metrics", json: #"{"returns":[0.01,-2]}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("below -1"))
        }
    }

    /// Ratios on the hand-made statements: each by its formula, the price on the statement date being the last
    /// close on or before it; missing inputs give reasons.
    @Test func ratiosOnHandMadeStatements() async throws {
        try await AnalysisHarness.with { h in
            let reply = try await h.call(.get, "ratios/ORCL")
            #expect(reply.status == .ok, "\(reply.text)")
            let periods = try #require(reply.json["periods"] as? [[String: Any]])
            #expect(periods.map { $0["period_end"] as? String } == ["2014-05-30", "2013-05-31"])
            let orcl = try PriceFiles.bars("ORCL")
            let i = try #require(orcl.dates.lastIndex { $0 <= "2014-05-30" })
            let price = orcl.close[i]
            let newest = periods[0], r = try #require(newest["ratios"] as? [String: Any])
            #expect(newest["price_date"] as? String == orcl.dates[i])
            func near(_ key: String, _ value: Double) { #expect(abs((r[key] as? Double ?? .nan) - value) < 1e-12, "\(key)") }
            near("pe", price * 95 / 243.75)
            near("pb", price * 95 / 975)
            near("roe", 243.75 / 975)
            near("gross_margin", (1100 - 420) / 1100.0)
            near("net_margin", 243.75 / 1100)
            near("current_ratio", 900 / 450.0)
            near("quick_ratio", (900 - 110) / 450.0)
            near("debt_to_equity", 600 / 975.0)
            near("interest_coverage", 350 / 25.0)
            near("ev_ebitda", (price * 95 + 600 - 350) / (350 + 55.0))
            near("payout_ratio", 66.5 / 243.75)
            #expect((newest["not_available"] as? [String: String])?.isEmpty == true)
            let missing = try await h.call(.get, "ratios/NVDA")
            #expect(missing.status == .ok)
            #expect((missing.json["periods"] as? [Any])?.isEmpty == true)
            #expect(try await h.call(.get, "ratios/ZZZZ").status == .notFound)
        }
    }

    /// The company analysis: profile, newest ratios, and DuPont's identity (3- and 5-step products equal ROE).
    @Test func companyAnalysisHoldsDuPontsIdentity() async throws {
        try await AnalysisHarness.with { h in
            let reply = try await h.call(.get, "companies/ORCL")
            #expect(reply.status == .ok, "\(reply.text)")
            #expect((reply.json["profile"] as? [String: Any])?["sector"] as? String == "Technology")
            let analysis = try #require(reply.json["analysis"] as? [String: Any])
            let dupont = try #require(analysis["dupont"] as? [[String: Any]])
            #expect(dupont.count == 2)
            func value(_ entry: [String: Any], _ key: String) -> Double? { (entry[key] as? [String: Any])?["value"] as? Double }
            for entry in dupont {
                let roe = try #require(value(entry, "return_on_equity"))
                #expect(abs((value(entry, "three_step_product") ?? .nan) - roe) < 1e-12)
                #expect(abs((value(entry, "five_step_product") ?? .nan) - roe) < 1e-12)
            }
            // ROE of each year by hand, in period order: 210 / 1000 and 243.75 / 975.
            #expect(dupont.compactMap { value($0, "return_on_equity") } == [0.21, 0.25])
            for part in ["margins", "growth", "common_size", "per_share", "trends"] { #expect(analysis[part] != nil, "\(part)") }
        }
    }

    /// A screen's matches equal a brute-force filter of the same condition on each symbol's latest bar, sorted by
    /// the first value.
    @Test func screenResultsEqualABruteForceFilter() async throws {
        var series = PriceFiles.all
        var rng = SplitMix64(seed: 11)
        for k in 0..<20 {
            var price = 50.0, close: [Double] = []
            for _ in 0..<400 { price *= 1 + 0.03 * (rng.nextUnit() - 0.5); close.append(price) }
            let dates = (0..<400).map { LocalDate("2013-01-01")!.adding(days: $0).description }
            series["S\(k)"] = try OHLCV(dates: dates, open: close, high: close.map { $0 * 1.01 }, low: close.map { $0 * 0.99 }, close: close,
                                        volume: [Double](repeating: 1e6, count: 400))
        }
        let universe = series
        let data = MarketDataStub(series: series)
        data.statements.withLock { $0["ORCL"] = AnalysisHarness.statements }
        try await AnalysisHarness.with(data: data) { h in
            let body = #"{"expression":"rsi(close, 14) < 55 and close > sma(close, 50)","values":["rsi(close, 14)","close / sma(close, 50)"],"limit":100}"#
            let reply = try await h.call(.post, "screen", json: body)
            #expect(reply.status == .ok, "\(reply.text)")
            var expected: [(String, Double)] = []
            for (symbol, b) in universe {
                let rsi = try Indicators.rsi(b.close, period: 14).last!, sma = try Indicators.sma(b.close, period: 50).last!
                if rsi < 55 && b.close.last! > sma { expected.append((symbol, rsi)) }
            }
            expected.sort { $0.1 > $1.1 }
            let items = reply.array
            #expect(items.map { $0["symbol"] as? String ?? "" } == expected.map(\.0))
            #expect(reply.json["evaluated"] as? Int == universe.count)
            let bad = try await h.call(.post, "screen", json: #"{"expression":"rsi(close, 14) <"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorFields == ["/expression"])
            let ratio = try await h.call(.post, "screen", json: #"{"expression":"pe < 1000 and roe > 0.2","symbols":["ORCL","NVDA"]}"#)
            #expect(ratio.array.map { $0["symbol"] as? String } == ["ORCL"], "\(ratio.text)")
        }
    }

    /// Saved screens belong to their owner; another user's id is a 404.
    @Test func savedScreensBelongToTheirOwner() async throws {
        try await AnalysisHarness.with { h in
            let created = try await h.call(.post, "screens", json: #"{"name":"Oversold","screen":{"expression":"rsi(close,14) < 30"}}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect(try await h.call(.post, "screens/\(id)/run").status == .ok)
            #expect(try await h.call(.get, "screens/\(id)", as: .bob).status == .notFound)
            #expect(try await h.call(.delete, "screens/\(id)", as: .bob).status == .notFound)
            #expect(try await h.call(.get, "screens", as: .bob).array.isEmpty)
            #expect(try await h.call(.post, "screens", as: .viewer, json: #"{"name":"x","screen":{"expression":"close > 1"}}"#).status == .forbidden)
            #expect(try await h.call(.delete, "screens/\(id)").status == .noContent)
        }
    }

    /// A candlestick chart: parsed as XML, one candle group per bar, each wick spanning the bar's high and low and
    /// the body its open and close through the pane's documented mapping.
    @Test func aCandleChartDrawsEachBarAtItsPrices() async throws {
        try await AnalysisHarness.with { h in
            let reply = try await h.call(.get, "charts/ORCL.svg?from=2014-10-01&to=2014-12-31&overlays=sma:20&panes=volume,rsi:14,macd&width=1200")
            #expect(reply.status == .ok, "\(reply.text.prefix(300))")
            #expect(reply.headers[.contentType] == "image/svg+xml")
            let svg = try SVGDocument(reply.text)
            let bars = try PriceFiles.bars("ORCL", from: "2014-10-01", to: "2014-12-31")
            #expect(svg.candles.count == bars.count)
            let pane = try #require(svg.pricePane)
            for candle in svg.candles {
                let i = candle.index
                #expect(abs(pane.price(candle.wickTop) - bars.high[i]) < 1e-6 * bars.high[i] + pane.pricePerPixel * 0.51)
                #expect(abs(pane.price(candle.wickBottom) - bars.low[i]) < 1e-6 * bars.low[i] + pane.pricePerPixel * 0.51)
            }
            #expect(svg.paneCount == 4)
            let compare = try await h.call(.get, "charts/compare.svg?symbols=ORCL,NVDA,YHOO&from=2010-01-01")
            #expect(compare.status == .ok)
            _ = try SVGDocument(compare.text)
            let equity = try await h.call(.post, "charts/equity.svg", json: #"{"dates":["2024-01-02","2024-01-03","2024-01-04"],"series":{"strategy":[100,90,110]}}"#)
            #expect(equity.status == .ok)
            _ = try SVGDocument(equity.text)
        }
    }

    /// Comparison: relative performance rebased to 100 on the first common day, a symmetric correlation matrix with a
    /// unit diagonal, percentile ranks in [0, 1]; a sector compares its members.
    @Test func comparisonRebasesAndRanks() async throws {
        try await AnalysisHarness.with { h in
            let reply = try await h.call(.post, "compare", json: #"{"symbols":["ORCL","NVDA","YHOO"],"from":"2005-01-01","to":"2014-12-31"}"#)
            #expect(reply.status == .ok, "\(reply.text)")
            let rebased = try #require(reply.json["rebased"] as? [String: Any])
            let series = try #require(rebased["series"] as? [String: [Double]])
            #expect(series.values.allSatisfy { $0.first == 100 })
            let correlation = try #require(reply.json["correlation"] as? [[Double]])
            #expect(correlation.count == 3 && (0..<3).allSatisfy { abs(correlation[$0][$0] - 1) < 1e-12 })
            #expect(abs(correlation[0][1] - correlation[1][0]) < 1e-15)
            let rows = try #require(reply.json["rows"] as? [[String: Any]])
            let sharpes = rows.compactMap { ($0["percentiles"] as? [String: Any])?["sharpe"] as? Double }
            #expect(sharpes.count == 3 && sharpes.allSatisfy { (0...1).contains($0) })
            let sector = try await h.call(.get, "sectors/technology")
            #expect(sector.status == .ok, "\(sector.text)")
            #expect(Set(sector.json["symbols"] as? [String] ?? []) == ["ORCL", "NVDA"])
            #expect(try await h.call(.get, "sectors/nothing").status == .notFound)
        }
    }
}

/// The parts of an SVG chart the tests read back (see docs/charts.md for the structure and the y mapping).
struct SVGDocument {
    struct Candle { var index: Int; var wickTop: Double; var wickBottom: Double }
    struct Pane {
        var top: Double, bottom: Double, minimum: Double, maximum: Double, log: Bool
        var pricePerPixel: Double { (maximum - minimum) / (bottom - top) }
        func price(_ y: Double) -> Double {
            let f = (bottom - y) / (bottom - top)
            return log ? Foundation.exp(Foundation.log(minimum) + f * (Foundation.log(maximum) - Foundation.log(minimum))) : minimum + f * (maximum - minimum)
        }
    }

    var candles: [Candle] = []
    var pricePane: Pane?
    var paneCount = 0

    init(_ text: String) throws {
        let parser = XMLParser(data: Data(text.utf8))
        let reader = Reader()
        parser.delegate = reader
        guard parser.parse() else { throw ParseError(description: parser.parserError.map { "\($0)" } ?? "not XML") }
        candles = reader.candles
        pricePane = reader.panes.first
        paneCount = reader.panes.count
    }

    struct ParseError: Error, CustomStringConvertible { let description: String }

    final class Reader: NSObject, XMLParserDelegate {
        var candles: [Candle] = []
        var panes: [Pane] = []
        var current: Int?
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
            let classes = (a["class"] ?? "").split(separator: " ")
            if name == "g", classes.contains("pane") {
                if let top = Double(a["data-top"] ?? ""), let bottom = Double(a["data-bottom"] ?? ""), let lo = Double(a["data-min"] ?? ""),
                   let hi = Double(a["data-max"] ?? "") {
                    panes.append(Pane(top: top, bottom: bottom, minimum: lo, maximum: hi, log: a["data-scale"] == "log"))
                } else {
                    panes.append(Pane(top: 0, bottom: 1, minimum: 0, maximum: 1, log: false))
                }
            }
            if name == "g", classes.contains("candle") { current = Int(a["data-i"] ?? "") }
            if name == "line", let i = current, let y1 = Double(a["y1"] ?? ""), let y2 = Double(a["y2"] ?? "") {
                candles.append(Candle(index: i, wickTop: min(y1, y2), wickBottom: max(y1, y2)))
            }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "g" { current = nil }
        }
    }
}
