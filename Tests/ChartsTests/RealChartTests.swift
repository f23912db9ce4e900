import Charts
import Foundation
import Testing

/// Charts of real price files, written to /tmp for a person to look at (docs/charts.md says how they were
/// checked), and the speed target of the analysis service.
@Suite("Real charts")
struct RealChartTests {
    /// ORCL's last two years (504 bars) as candles with SMA 50/200 computed over the whole file (so no warm-up
    /// gap), volume and RSI 14 (Wilder) by plain loops; written to /tmp/charts-orcl.svg.
    @Test func orclTwoYearsWithOverlaysVolumeAndRSI() throws {
        let all = try PriceFile.load("orcl-1995-2014.csv")
        let count = 504
        let bars = all.suffix(count)
        let sma50 = Array(plainSMA(all.close, 50).suffix(count)), sma200 = Array(plainSMA(all.close, 200).suffix(count))
        let rsi = Array(plainRSI(all.close, 14).suffix(count))
        var chart = PriceChart(dates: bars.dates, open: bars.open, high: bars.high, low: bars.low, close: bars.close, volume: bars.volume,
                               title: "ORCL · daily · \(bars.dates.first!) – \(bars.dates.last!)")
        chart.addOverlay("SMA 50", values: sma50)
        chart.addOverlay("SMA 200", values: sma200)
        chart.addPane("Volume", series: [], style: .volumeBars)
        chart.addPane("RSI 14", series: [("RSI 14", rsi)], guides: [30, 70])
        let svg = chart.svg()
        try svg.write(toFile: "/tmp/charts-orcl.svg", atomically: true, encoding: .utf8)

        let doc = try SVGDocument(svg)
        let price = try #require(doc.pane("price"))
        let candles = price.node.all("g", class: "candle")
        #expect(candles.count == count, "504 bars fit in the plot width: one candle each")
        for candle in candles {
            let i = candle.int("data-i")
            let wick = try #require(candle.first("line", class: "wick"))
            expectPixel(wick.number("y1"), price.y(bars.high[i]), "high of \(bars.dates[i])")
            expectPixel(wick.number("y2"), price.y(bars.low[i]), "low of \(bars.dates[i])")
        }
        let sma = try #require(price.node.all("path", class: "line").first { $0.attributes["data-name"] == "SMA 200" })
        let runs = subpaths(sma.attributes["d"] ?? "")
        #expect(runs.count == 1 && runs[0].count == count)
        for point in runs[0] {
            let i = price.index(atX: point.x)
            #expect(abs(price.value(atY: point.y) - sma200[i]) <= price.valueTolerance(at: sma200[i]))
        }
        let rsiPane = try #require(doc.pane("RSI 14"))
        let rsiRuns = subpaths(try #require(rsiPane.node.first("path", class: "line")).attributes["d"] ?? "")
        for point in rsiRuns.flatMap({ $0 }) {
            let i = rsiPane.index(atX: point.x)
            #expect(abs(rsiPane.value(atY: point.y) - rsi[i]) <= rsiPane.valueTolerance(at: rsi[i]))
        }
        let labels = doc.root.all("text", class: "xlabel").map(\.text)
        #expect(labels == ["Apr", "Jul", "Oct", "2014", "Apr", "Jul", "Oct"], "a two-year span (2013–2014) labels quarters: \(labels)")
    }

    /// Twenty years of ORCL on a log scale, dark theme, OHLC bars grouped to fit: /tmp/charts-orcl-log.svg.
    @Test func orclTwentyYearsOnALogScale() throws {
        let bars = try PriceFile.load("orcl-1995-2014.csv")
        var chart = PriceChart(dates: bars.dates, open: bars.open, high: bars.high, low: bars.low, close: bars.close, volume: bars.volume,
                               style: .ohlc, title: "ORCL · log scale", width: 1200, height: 700, theme: .dark, logScale: true)
        chart.addOverlay("SMA 200", values: plainSMA(bars.close, 200))
        chart.addPane("Volume", series: [], style: .volumeBars)
        let svg = chart.svg()
        try svg.write(toFile: "/tmp/charts-orcl-log.svg", atomically: true, encoding: .utf8)
        let doc = try SVGDocument(svg)
        let price = try #require(doc.pane("price"))
        #expect(price.log)
        let ticks = try #require(price.node.first("g", class: "ylabels")).all("text").map { $0.number("data-value") }
        for tick in ticks {
            let mantissa = tick / pow(10, floor(log10(tick) + 1e-12))
            #expect([1, 2, 5].contains { abs(mantissa - Double($0)) < 1e-9 }, "log tick \(tick) is 1, 2 or 5 × 10^k")
        }
        let bars0 = price.node.all("g", class: "ohlc")
        #expect(bars0.count <= Int(price.x1 - price.x0) + 1)
        #expect(doc.root.all("text", class: "xlabel").map(\.text).allSatisfy { Int($0) != nil }, "twenty years label years")
    }

    /// ORCL, NVDA and YHOO rebased to 100 on their common dates, log scale, with ORCL's drawdown:
    /// /tmp/charts-compare.svg.
    @Test func comparisonRebasedTo100WithDrawdown() throws {
        let files = try ["orcl-1995-2014.csv", "nvda-1999-2014.csv", "yhoo-1996-2014.csv"].map(PriceFile.load)
        let common = files.dropFirst().reduce(Set(files[0].dates)) { $0.intersection($1.dates) }
        let dates = files[0].dates.filter(common.contains)
        let series = zip(["ORCL", "NVDA", "YHOO"], files).map { name, file in
            let close = Dictionary(uniqueKeysWithValues: zip(file.dates, file.close))
            return (name: name, values: LineChart.rebased(dates.map { close[$0]! }))
        }
        let chart = LineChart(dates: dates, series: series, title: "Rebased to 100", logScale: true, drawdownPane: true)
        let svg = chart.svg()
        try svg.write(toFile: "/tmp/charts-compare.svg", atomically: true, encoding: .utf8)
        let doc = try SVGDocument(svg)
        #expect(doc.panes.map(\.name) == ["main", "Drawdown %"])
        #expect(series.allSatisfy { $0.values[0] == 100 })
    }

    /// Ten years of daily bars (2,520) as candles with two overlays and two panes: the service's speed target is
    /// < 30 ms in a release build (measured: see docs/charts.md); this debug-build test only guards against an
    /// order-of-magnitude regression.
    @Test func tenYearsOfCandlesRenderQuickly() throws {
        let bars = syntheticBars(count: 2_520)
        var chart = PriceChart(dates: bars.dates, open: bars.open, high: bars.high, low: bars.low, close: bars.close, volume: bars.volume,
                               title: "speed")
        chart.addOverlay("SMA 50", values: plainSMA(bars.close, 50))
        chart.addOverlay("SMA 200", values: plainSMA(bars.close, 200))
        chart.addPane("Volume", series: [], style: .volumeBars)
        chart.addPane("RSI 14", series: [("RSI", plainRSI(bars.close, 14))], guides: [30, 70])
        _ = chart.svg()
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000)
        var size = 0
        for _ in 0..<5 {
            let start = clock.now
            size = chart.svg().utf8.count
            best = min(best, clock.now - start)
        }
        print("10-year candle chart: \(size) bytes, best of 5: \(best)")
        #expect(best < .milliseconds(500))
    }
}
