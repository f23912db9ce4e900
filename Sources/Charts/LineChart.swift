import Foundation

/// Lines over time: instruments compared after rebasing to 100, equity curves of backtests and portfolios,
/// optionally with the first series' drawdown in a pane under it. Drawn as a standalone SVG 1.1 document.
///
/// The x axis, y mapping, ticks, legend and escaping follow `PriceChart` (see docs/charts.md): the bar count is
/// `dates.count`, series are read at the same indices (NaN = gap), the domain is the extent of all series plus
/// 4 % each side, and `logScale` (ln mapping, 1-2-5 ticks per decade) falls back to linear when a value is ≤ 0.
/// The drawdown pane (`<g class="pane" data-name="Drawdown %">`) fills the area between 0 and
/// `100 · (v / max(v₀…vᵢ) − 1)` — the running maximum over the finite values so far — as `<path class="drawdown">`.
public struct LineChart: Sendable {
    public let dates: [String]
    let series: [NamedSeries]
    public var title: String
    public var width: Int
    public var height: Int
    public var theme: ChartTheme
    public var logScale: Bool
    public var drawdownPane: Bool

    public init(dates: [String], series: [(name: String, values: [Double])], title: String, width: Int = 1000, height: Int = 500,
                theme: ChartTheme = .light, logScale: Bool = false, drawdownPane: Bool = false) {
        self.dates = dates
        self.series = series.map { NamedSeries(name: $0.name, values: $0.values) }
        self.title = title
        self.width = width
        self.height = height
        self.theme = theme
        self.logScale = logScale
        self.drawdownPane = drawdownPane
    }

    /// `values` scaled so that the first finite value becomes `base` (100: a comparison of total returns);
    /// all NaN when there is no finite value or the first one is 0.
    public static func rebased(_ values: [Double], to base: Double = 100) -> [Double] {
        guard let first = values.first(where: \.isFinite), first != 0 else { return values.map { _ in .nan } }
        let factor = base / first
        return values.map { $0 * factor }
    }

    /// Drawdown in percent, `100 · (vᵢ / max(v₀…vᵢ) − 1)` (≤ 0), NaN where vᵢ is not finite or no positive
    /// running maximum exists yet.
    public static func drawdownPercent(_ values: [Double]) -> [Double] {
        var peak = -Double.infinity
        return values.map { v in
            guard v.isFinite else { return .nan }
            peak = max(peak, v)
            return peak > 0 ? 100 * (v / peak - 1) : .nan
        }
    }

    /// The chart as SVG text; equal input gives byte-identical output.
    public func svg() -> String {
        let n = dates.count
        let width = max(self.width, 200)
        let height = max(self.height, drawdownPane ? 210 : 140)
        let bands = Canvas.paneBands(height: height, lower: drawdownPane ? 1 : 0)
        let values = series.map { Array($0.values.prefix(n)) }

        var log = logScale
        if log, let (lo, _) = Canvas.extent(values), lo <= 0 { log = false }
        let extent = Canvas.extent(values, log: log)
        let (dMin, dMax) = extent.map { YScale.paddedDomain($0.0, $0.1, log: log, padding: 0.04) } ?? (0, 1)
        let scale = YScale(top: bands[0].top, bottom: bands[0].bottom, min: dMin, max: dMax, log: log)
        let ticks = Canvas.ticks(for: scale)
        let labels = Canvas.tickLabels(ticks)

        var drawdown: [Double] = []
        var ddScale: YScale?
        var ddTicks: [Double] = [], ddLabels: [String] = []
        if drawdownPane {
            drawdown = Self.drawdownPercent(values.first ?? [])
            let worst = Canvas.extent([drawdown])?.0 ?? 0
            let band = bands[1]
            let scale = YScale(top: band.top, bottom: band.bottom, min: worst < 0 ? worst * 1.08 : -1, max: 0, log: false)
            ddScale = scale
            ddTicks = Canvas.ticks(for: scale)
            ddLabels = Canvas.tickLabels(ddTicks)
        }
        let labelChars = (labels + ddLabels).map(\.count).max() ?? 0
        let x = XScale(left: Canvas.leftMargin, right: Double(width) - Double(labelChars) * Canvas.charWidth - 14, count: n)
        let dateLabels = Canvas.dateLabels(dates[...], x: x)
        let verticals = dateLabels.map { x.x($0.index) }

        var canvas = Canvas(width: width, height: height, theme: theme, title: title, seed: n,
                            capacity: 4_096 + (series.count + (drawdownPane ? 1 : 0)) * n * 16)
        canvas.begin(title: title)
        canvas.openPane(index: 0, name: "main", scale: scale, x: x, ticks: ticks, labels: labels, verticals: verticals)
        var legend: [LegendItem] = []
        for (k, s) in series.enumerated() {
            canvas.linePath(NamedSeries(name: s.name, values: values[k]), x: x, scale: scale, color: theme.color(k))
            legend.append(LegendItem(name: s.name, color: theme.color(k), filled: false))
        }
        if extent == nil { canvas.noData(x: x, bottom: bands[0].bottom) }
        canvas.closePane(scale: scale, x: x, legend: legend)

        if let ddScale {
            let name = "Drawdown %"
            canvas.openPane(index: 1, name: name, scale: ddScale, x: x, ticks: ddTicks, labels: ddLabels, verticals: verticals)
            canvas.area(NamedSeries(name: series.first.map { "\($0.name) drawdown %" } ?? name, values: drawdown), x: x, scale: ddScale,
                        color: theme.down)
            canvas.closePane(scale: ddScale, x: x, legend: [LegendItem(name: series.first.map { "\($0.name) drawdown" } ?? name, color: theme.down, filled: true)])
        }
        canvas.dateLabels(dateLabels, x: x, baseline: bands[bands.count - 1].bottom + 17)
        return canvas.finish()
    }
}

extension Canvas {
    /// The area between 0 and the series: per run of finite values `M x₀ y(0) L x₀ y(v₀) … L xₖ y(vₖ) L xₖ y(0) Z`.
    mutating func area(_ series: NamedSeries, x: XScale, scale: YScale, color: String) {
        out.raw("<path class=\"drawdown\" data-name=\"")
        out.escaped(series.name)
        out.raw("\" fill=\"")
        out.escaped(color)
        out.raw("\" fill-opacity=\"0.3\" stroke=\"")
        out.escaped(color)
        out.raw("\" stroke-width=\"1\" stroke-linejoin=\"round\" d=\"")
        let zero = scale.y(0)
        var runEnd: Double?
        for i in 0..<x.count {
            let v = series[i]
            guard v.isFinite else {
                if let end = runEnd { closeArea(end, zero) }
                runEnd = nil
                continue
            }
            let px = x.x(i)
            if runEnd == nil {
                out.raw("M")
                out.num(px)
                out.raw(" ")
                out.num(zero)
            }
            out.raw("L")
            out.num(px)
            out.raw(" ")
            out.num(scale.y(v))
            runEnd = px
        }
        if let end = runEnd { closeArea(end, zero) }
        out.raw("\"/>\n")
    }

    private mutating func closeArea(_ x: Double, _ zero: Double) {
        out.raw("L")
        out.num(x)
        out.raw(" ")
        out.num(zero)
        out.raw("Z")
    }
}
