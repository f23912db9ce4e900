import Charts
import Foundation
import Testing

/// Comparison and equity charts: points map back to the values, drawdown to a plain-loop drawdown.
@Suite("Line chart")
struct LineChartTests {
    let dates = weekdays(from: "2020-01-01", through: "2020-03-31")

    func series(_ seed: Double, gapAt gaps: Set<Int> = []) -> [Double] {
        dates.indices.map { i in gaps.contains(i) ? .nan : 100 * (1 + 0.3 * sin(Double(i) / 7 + seed)) + Double(i) }
    }

    @Test(arguments: [false, true])
    func pointsMapBackToTheirValues(log: Bool) throws {
        let a = series(0), b = series(2, gapAt: [10, 11, 12, 40])
        let chart = LineChart(dates: dates, series: [("A & co", a), ("B", b)], title: "compare", logScale: log)
        let doc = try SVGDocument(chart.svg())
        let pane = try #require(doc.pane("main"))
        #expect(pane.log == log)
        let paths = pane.node.all("path", class: "line")
        #expect(paths.map { $0.attributes["data-name"] ?? "" } == ["A & co", "B"])
        for (path, values) in zip(paths, [a, b]) {
            for point in subpaths(path.attributes["d"] ?? "").flatMap({ $0 }) {
                let i = pane.index(atX: point.x)
                expectPixel(point.x, pane.x(i), "x of \(i)")
                #expect(abs(pane.value(atY: point.y) - values[i]) <= pane.valueTolerance(at: values[i]), "value \(i)")
            }
        }
        let runs = subpaths(paths[1].attributes["d"] ?? "")
        #expect(runs.map { $0.count } == [10, 27, dates.count - 41], "gaps at 10–12 and 40 split B in three")
        let items = pane.node.all("g", class: "item")
        #expect(items.map { $0.first("text")?.text ?? "" } == ["A & co", "B"])
        #expect(items.map { $0.attributes["data-color"] ?? "" } == Array(ChartTheme.light.palette.prefix(2)))
    }

    @Test func rebasingMakesTheFirstFiniteValue100() {
        let r = LineChart.rebased([.nan, 4, 5, 2])
        #expect(r[0].isNaN && Array(r.dropFirst()) == [100, 125, 50])
        #expect(LineChart.rebased([0, 1]).allSatisfy { $0.isNaN }, "a first value of 0 cannot be rebased")
    }

    @Test func theDrawdownPaneFillsTheFirstSeriesDrawdown() throws {
        let equity = [100.0, 110, 99, .nan, 121, 108.9, 130]
        let d = Array(dates.prefix(equity.count))
        // Plain loop: running peak of the finite values, 100 · (v / peak − 1).
        var peak = -Double.infinity
        var expected: [Double] = []
        for v in equity {
            if v.isFinite { peak = max(peak, v) }
            expected.append(v.isFinite ? 100 * (v / peak - 1) : .nan)
        }
        #expect(expected[2] == 100 * (99.0 / 110 - 1) && expected[5] == 100 * (108.9 / 121 - 1))
        let chart = LineChart(dates: d, series: [("Equity", equity), ("Benchmark", [100, 101, 102, 103, 104, 105, 106])],
                              title: "equity", drawdownPane: true)
        let doc = try SVGDocument(chart.svg())
        let pane = try #require(doc.pane("Drawdown %"))
        #expect(pane.max == 0)
        let area = try #require(pane.node.first("path", class: "drawdown"))
        #expect(area.attributes["fill"] == ChartTheme.light.down)
        let runs = subpaths(area.attributes["d"] ?? "")
        #expect(runs.count == 2, "the NaN splits the area")
        for run in runs {
            expectPixel(run.first!.y, pane.y(0), "area starts on the zero line")
            expectPixel(run.last!.y, pane.y(0), "area ends on the zero line")
            for point in run.dropFirst().dropLast() {
                let i = pane.index(atX: point.x)
                #expect(abs(pane.value(atY: point.y) - expected[i]) <= pane.valueTolerance(at: expected[i]), "drawdown \(i)")
            }
        }
        let computed = LineChart.drawdownPercent(equity)
        #expect(zip(computed, expected).allSatisfy { $0.isNaN ? $1.isNaN : abs($0 - $1) < 1e-12 })
    }

    @Test func logScaleFallsBackToLinearWithANonPositiveValue() throws {
        let chart = LineChart(dates: Array(dates.prefix(3)), series: [("P&L", [-5, 0, 10])], title: "pnl", logScale: true)
        let doc = try SVGDocument(chart.svg())
        #expect(doc.pane("main")?.log == false)
    }
}
