import Charts
import Foundation
import Testing

/// More bars than pixel columns: consecutive bars become one mark whose wick covers the group's extremes.
@Suite("Thinning")
struct ThinningTests {
    let bars = syntheticBars(count: 10_000)

    @Test func tenThousandBarsInAThousandPixelsKeepEveryExtreme() throws {
        var chart = PriceChart(dates: bars.dates, open: bars.open, high: bars.high, low: bars.low, close: bars.close,
                               volume: bars.volume, title: "thin", width: 1_000, height: 600)
        chart.addPane("Volume", series: [], style: .volumeBars)
        let doc = try SVGDocument(chart.svg())
        let pane = try #require(doc.pane("price"))
        let candles = pane.node.all("g", class: "candle")
        #expect(candles.count <= 1_000 && candles.count <= Int(pane.x1 - pane.x0) + 1, "\(candles.count) candle groups")
        var next = 0
        for candle in candles {
            let start = candle.int("data-i"), count = candle.int("data-n")
            #expect(start == next, "groups tile the bars without gaps or overlap")
            next = start + count
            let range = start..<(start + count)
            let high = range.map { bars.high[$0] }.max()!, low = range.map { bars.low[$0] }.min()!
            let open = bars.open[start], close = bars.close[range.last!]
            let wick = try #require(candle.first("line", class: "wick"))
            expectPixel(wick.number("y1"), pane.y(high), "max high of bars \(range)")
            expectPixel(wick.number("y2"), pane.y(low), "min low of bars \(range)")
            expectPixel(wick.number("x1"), pane.center(start: start, count: count), "centre of \(range)")
            #expect(candle.hasClass(close >= open ? "up" : "down"))
            if let body = candle.first("rect", class: "body") {
                expectPixel(body.number("y"), pane.y(max(open, close)), "body top of \(range)")
                expectPixel(body.number("y") + body.number("height"), pane.y(min(open, close)), "body bottom of \(range)")
            }
        }
        #expect(next == bars.dates.count)
        let volume = try #require(doc.pane("Volume"))
        let rects = volume.node.all("rect").filter { $0.attributes["data-i"] != nil }
        #expect(rects.count == candles.count)
        for rect in rects.prefix(50) {
            let start = rect.int("data-i"), count = rect.int("data-n")
            let sum = (start..<(start + count)).reduce(0.0) { $0 + bars.volume[$1] }
            expectPixel(rect.number("y"), volume.y(sum), "summed volume of \(start)")
        }
    }

    @Test func overlaysAreNeverThinned() throws {
        var chart = PriceChart(dates: bars.dates, open: bars.open, high: bars.high, low: bars.low, close: bars.close,
                               volume: nil, style: .ohlc, title: "thin")
        chart.addOverlay("close", values: bars.close)
        let doc = try SVGDocument(chart.svg())
        let pane = try #require(doc.pane("price"))
        let runs = subpaths(try #require(pane.node.first("path", class: "line")).attributes["d"] ?? "")
        #expect(runs.count == 1 && runs[0].count == 10_000)
        #expect(pane.node.all("g", class: "ohlc").count <= 1_000)
    }
}
