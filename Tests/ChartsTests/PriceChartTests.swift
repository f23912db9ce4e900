import Charts
import Foundation
import Testing

/// Candles, OHLC bars, lines and panes read back from the parsed SVG through the documented y mapping.
@Suite("Price chart")
struct PriceChartTests {
    // Hand-made bars: up, down, doji (open == close), a gap up, a wide-range down bar, a NaN bar.
    let dates = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09"]
    let open = [10.0, 12.0, 11.0, 13.5, 15.0, .nan]
    let high = [12.5, 12.2, 11.8, 15.2, 15.5, .nan]
    let low = [9.5, 10.6, 10.4, 13.1, 11.0, .nan]
    let close = [12.0, 11.0, 11.0, 15.0, 11.5, .nan]
    let volume = [1_000.0, 3_000, 2_000, 5_000, 4_000, .nan]

    func chart(_ style: PriceStyle, log: Bool = false, theme: ChartTheme = .light) -> PriceChart {
        PriceChart(dates: dates, open: open, high: high, low: low, close: close, volume: volume, style: style,
                   title: "TEST", theme: theme, logScale: log)
    }

    @Test(arguments: [false, true])
    func candleWicksAndBodiesSitAtTheirPrices(log: Bool) throws {
        let doc = try SVGDocument(chart(.candles, log: log).svg())
        let pane = try #require(doc.pane("price"))
        #expect(pane.log == log)
        let candles = pane.node.all("g", class: "candle")
        #expect(candles.count == 5, "the NaN bar draws nothing")
        for candle in candles {
            let i = candle.int("data-i")
            #expect(candle.int("data-n") == 1)
            let up = close[i] >= open[i]
            #expect(candle.hasClass(up ? "up" : "down"))
            #expect(candle.attributes["stroke"] == (up ? ChartTheme.light.up : ChartTheme.light.down))
            #expect(candle.attributes["fill"] == (up ? ChartTheme.light.up : ChartTheme.light.down))
            let wick = try #require(candle.first("line", class: "wick"))
            expectPixel(wick.number("x1"), pane.x(i), "wick x of \(i)")
            expectPixel(wick.number("x2"), pane.x(i), "wick x of \(i)")
            expectPixel(wick.number("y1"), pane.y(high[i]), "high of \(i)")
            expectPixel(wick.number("y2"), pane.y(low[i]), "low of \(i)")
            #expect(abs(pane.value(atY: wick.number("y1")) - high[i]) <= pane.valueTolerance(at: high[i]))
            #expect(abs(pane.value(atY: wick.number("y2")) - low[i]) <= pane.valueTolerance(at: low[i]))
            if let body = candle.first("rect", class: "body") {
                let top = body.number("y"), bottom = top + body.number("height")
                expectPixel(top, pane.y(max(open[i], close[i])), "body top of \(i)")
                expectPixel(bottom, pane.y(min(open[i], close[i])), "body bottom of \(i)")
                expectPixel(body.number("x") + body.number("width") / 2, pane.x(i), "body centre of \(i)")
            } else {
                let line = try #require(candle.first("line", class: "body"), "bar \(i) has no body")
                #expect(open[i] == close[i])
                expectPixel(line.number("y1"), pane.y(open[i]), "doji of \(i)")
                expectPixel(line.number("y2"), pane.y(close[i]), "doji of \(i)")
            }
        }
    }

    @Test func ohlcTicksSitAtOpenLeftAndCloseRight() throws {
        let doc = try SVGDocument(chart(.ohlc, theme: .dark).svg())
        let pane = try #require(doc.pane("price"))
        let bars = pane.node.all("g", class: "ohlc")
        #expect(bars.count == 5)
        for bar in bars {
            let i = bar.int("data-i")
            #expect(bar.attributes["stroke"] == (close[i] >= open[i] ? ChartTheme.dark.up : ChartTheme.dark.down))
            let hl = try #require(bar.first("line", class: "hl"))
            expectPixel(hl.number("y1"), pane.y(high[i]), "high of \(i)")
            expectPixel(hl.number("y2"), pane.y(low[i]), "low of \(i)")
            let o = try #require(bar.first("line", class: "open")), c = try #require(bar.first("line", class: "close"))
            expectPixel(o.number("y1"), pane.y(open[i]), "open of \(i)")
            expectPixel(o.number("y2"), pane.y(open[i]), "open of \(i)")
            expectPixel(c.number("y1"), pane.y(close[i]), "close of \(i)")
            expectPixel(c.number("y2"), pane.y(close[i]), "close of \(i)")
            #expect(o.number("x1") < o.number("x2") && o.number("x2") == hl.number("x1"), "open tick left of the bar")
            #expect(c.number("x1") == hl.number("x1") && c.number("x2") > c.number("x1"), "close tick right of the bar")
        }
    }

    @Test func theLineStyleDrawsTheClosesAndBreaksAtNaN() throws {
        let doc = try SVGDocument(chart(.line).svg())
        let pane = try #require(doc.pane("price"))
        #expect(pane.node.all("g", class: "candle").isEmpty)
        let path = try #require(pane.node.all("path", class: "line").first { $0.attributes["data-name"] == "Close" })
        let runs = subpaths(path.attributes["d"] ?? "")
        #expect(runs.count == 1 && runs[0].count == 5, "five closes, the NaN bar ends the line")
        for point in runs.flatMap({ $0 }) {
            let i = pane.index(atX: point.x)
            expectPixel(point.x, pane.x(i), "x of \(i)")
            #expect(abs(pane.value(atY: point.y) - close[i]) <= pane.valueTolerance(at: close[i]))
        }
    }

    @Test func overlaysMapBackToTheirValuesAndNaNGapsBreakTheLine() throws {
        var c = chart(.candles)
        let overlay = [Double.nan, 11.0, 11.5, .nan, 12.0, 12.5]  // run of two, isolated point, run of one at the end
        c.addOverlay("MA \"fast\"", values: overlay)
        c.addOverlay("short", values: [10.5, 10.7])  // shorter than the bars: the rest is a gap
        let doc = try SVGDocument(c.svg())
        let pane = try #require(doc.pane("price"))
        let paths = pane.node.all("path", class: "line")
        #expect(paths.map { $0.attributes["data-name"] ?? "" } == ["MA \"fast\"", "short"])
        let runs = subpaths(paths[0].attributes["d"] ?? "")
        #expect(runs.map { $0.map { pane.index(atX: $0.x) } } == [[1, 2], [4, 5]])
        for point in runs.flatMap({ $0 }) {
            let i = pane.index(atX: point.x)
            #expect(abs(pane.value(atY: point.y) - overlay[i]) <= pane.valueTolerance(at: overlay[i]))
        }
        let isolated = subpaths(try #require(PriceChart.isolatedPointSVG().pane("price")).node.first("path")?.attributes["d"] ?? "")
        #expect(isolated.count == 2 && isolated[1].count == 2 && isolated[1][0].x == isolated[1][1].x, "a lone point is a dot (h0)")
        // The legend lists each overlay with its palette colour.
        let items = pane.node.all("g", class: "item")
        #expect(items.map { $0.attributes["data-name"] ?? "" } == ["MA \"fast\"", "short"])
        #expect(items.map { $0.attributes["data-color"] ?? "" } == Array(ChartTheme.light.palette.prefix(2)))
        #expect(items.map { $0.first("text")?.text ?? "" } == ["MA \"fast\"", "short"])
        #expect(paths.map { $0.attributes["stroke"] ?? "" } == Array(ChartTheme.light.palette.prefix(2)))
    }

    @Test func volumeBarsStandOnZeroColouredByTheDay() throws {
        var c = chart(.candles)
        c.addPane("Volume", series: [], style: .volumeBars)
        let doc = try SVGDocument(c.svg())
        let pane = try #require(doc.pane("Volume"))
        #expect(pane.min == 0)
        let up = try #require(pane.node.first("g", class: "up")), down = try #require(pane.node.first("g", class: "down"))
        #expect(up.attributes["fill"] == ChartTheme.light.up && down.attributes["fill"] == ChartTheme.light.down)
        let rects = (up.all("rect") + down.all("rect")).sorted { $0.int("data-i") < $1.int("data-i") }
        #expect(rects.map { $0.int("data-i") } == [0, 1, 2, 3, 4], "no bar where the volume is NaN")
        for rect in rects {
            let i = rect.int("data-i")
            #expect(up.all("rect").contains { $0 === rect } == (close[i] >= open[i]))
            expectPixel(rect.number("y") + rect.number("height"), pane.y(0), "volume base of \(i)")
            expectPixel(rect.number("y"), pane.y(volume[i]), "volume top of \(i)")
        }
    }

    @Test func histogramBarsGoBothWaysFromZeroAndGuidesSitAtTheirValues() throws {
        var c = chart(.candles)
        let line = [0.5, 0.2, -0.1, -0.4, 0.3, .nan], hist = [0.4, -0.3, -0.6, 0.2, 0.0, .nan]
        c.addPane("MACD", series: [("MACD", line), ("Histogram", hist)], style: .histogramLast)
        c.addPane("RSI 14", series: [("RSI", [55, 60, 45, 35, 72, .nan])], guides: [30, 70])
        let doc = try SVGDocument(c.svg())
        let macd = try #require(doc.pane("MACD"))
        #expect(macd.node.all("path", class: "line").map { $0.attributes["data-name"] } == ["MACD"])
        let positive = try #require(macd.node.first("g", class: "up")).all("rect")
        let negative = try #require(macd.node.first("g", class: "down")).all("rect")
        #expect(positive.map { $0.int("data-i") } == [0, 3, 4] && negative.map { $0.int("data-i") } == [1, 2])
        for rect in positive + negative {
            let i = rect.int("data-i")
            expectPixel(rect.number("y"), macd.y(max(hist[i], 0)), "histogram top of \(i)")
            expectPixel(rect.number("y") + rect.number("height"), macd.y(min(hist[i], 0)), "histogram bottom of \(i)")
        }
        let rsi = try #require(doc.pane("RSI 14"))
        let guides = rsi.node.all("line").filter { $0.attributes["data-value"] != nil }
        #expect(guides.map { $0.number("data-value") } == [30, 70])
        for guide in guides { expectPixel(guide.number("y1"), rsi.y(guide.number("data-value")), "guide") }
        #expect(rsi.min <= 30 && rsi.max >= 72, "the domain holds the guides and the data")
        #expect(doc.panes.map(\.name) == ["price", "MACD", "RSI 14"])
        #expect(doc.panes[0].bottom < doc.panes[1].top && doc.panes[1].bottom < doc.panes[2].top, "panes stack without overlap")
    }

    @Test func userTextIsEscapedAndTheDocumentIsStandaloneSVG() throws {
        var c = PriceChart(dates: dates, open: open, high: high, low: low, close: close, volume: nil,
                           title: "<script>alert('x & \"y\"')</script>", width: 640, height: 400)
        c.addOverlay("a<b & c>'d'", values: close)
        let svg = c.svg()
        #expect(!svg.contains("<script"))
        #expect(svg.contains("&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;"))
        let doc = try SVGDocument(svg)
        #expect(doc.root.name == "svg")
        #expect(doc.root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(doc.root.attributes["version"] == "1.1")
        #expect(doc.root.attributes["width"] == "640" && doc.root.attributes["height"] == "400")
        #expect(doc.root.attributes["viewBox"] == "0 0 640 400")
        #expect(doc.root.first("text", class: "title")?.text == "<script>alert('x & \"y\"')</script>")
        #expect(doc.root.first("title")?.text == "<script>alert('x & \"y\"')</script>")
        #expect(doc.root.first("g", class: "item")?.first("text")?.text == "a<b & c>'d'")
        #expect(svg == c.svg(), "output is deterministic")
    }

    @Test func controlCharactersAreDroppedToKeepTheXMLWellFormed() throws {
        let c = PriceChart(dates: dates, open: open, high: high, low: low, close: close, volume: nil, title: "a\u{1}b\u{0}c")
        #expect(try SVGDocument(c.svg()).root.first("text", class: "title")?.text == "abc")
    }

    @Test func priceTicksAreNiceGridLinesWithRightAlignedLabels() throws {
        let doc = try SVGDocument(chart(.candles).svg())
        let pane = try #require(doc.pane("price"))
        let labels = try #require(pane.node.first("g", class: "ylabels"))
        #expect(labels.attributes["text-anchor"] == "end")
        let values = labels.all("text").map { $0.number("data-value") }
        #expect(values.count >= 3)
        let step = values[1] - values[0]
        #expect(values.allSatisfy { $0 >= pane.min && $0 <= pane.max })
        #expect(zip(values, values.dropFirst()).allSatisfy { abs(($1 - $0) - step) < 1e-9 })
        let mantissa = step / pow(10, floor(log10(step)))
        #expect([1, 2, 5].contains { abs(mantissa - Double($0)) < 1e-9 }, "step \(step) is 1, 2 or 5 × 10^k")
        #expect(labels.all("text").map(\.text) == values.map { String(Int($0)) }, "integer steps print without decimals")
        let xs = Set(labels.all("text").map { $0.attributes["x"] ?? "" })
        #expect(xs.count == 1, "labels share one right edge")
        let grid = try #require(pane.node.first("g", class: "grid")).all("line").filter { $0.attributes["y1"] == $0.attributes["y2"] }
        for (line, value) in zip(grid, values) { expectPixel(line.number("y1"), pane.y(value), "grid line at \(value)") }
    }

    @Test func anEmptyChartIsStillAValidDocument() throws {
        let c = PriceChart(dates: [], open: [], high: [], low: [], close: [], volume: nil, title: "empty")
        let doc = try SVGDocument(c.svg())
        #expect(doc.root.first("text", class: "nodata")?.text == "No data")
    }
}

extension PriceChart {
    /// A line chart whose close has a lone value between two gaps.
    static func isolatedPointSVG() throws -> SVGDocument {
        let c = PriceChart(dates: ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"], open: [1, 1, 1, 1], high: [2, 2, 2, 2],
                           low: [0.5, 0.5, 0.5, 0.5], close: [1.2, .nan, 1.4, .nan], volume: nil, style: .line, title: "gap")
        return try SVGDocument(c.svg())
    }
}
