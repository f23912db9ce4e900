/// How the price pane draws the bars.
public enum PriceStyle: String, Sendable, CaseIterable {
    /// Japanese candlesticks: a wick from low to high and a body from open to close.
    case candles
    /// OHLC bars: a vertical line from low to high, a tick left at the open and right at the close.
    case ohlc
    /// A line through the closes.
    case line
}

/// How a pane under the price pane draws its series.
public enum PaneStyle: Sendable, Hashable {
    /// Every series as a line.
    case lines
    /// The first series (or, with no series, the chart's volume) as bars from 0, in the up colour when the
    /// bar's close ≥ its open and the down colour otherwise.
    case volumeBars
    /// Every series but the last as a line, the last as bars around 0 (up colour ≥ 0, down colour < 0), e.g. MACD
    /// line, signal and histogram.
    case histogramLast
}

/// A price chart: candles, OHLC bars or a close line with overlays on the price pane and indicator panes under
/// it, drawn as a standalone SVG 1.1 document by `svg()`.
///
/// Conventions (see docs/charts.md):
/// * The x axis is by bar index: bar i is centred at `left + (i + 0.5) · slot`, so non-trading days leave no gap.
///   The bar count is the shortest of `dates`, `open`, `high`, `low` and `close`; overlays and pane series are
///   read at the same indices (shorter ones end in a gap, longer ones are cut).
/// * When there are more bars than `PriceChart.minimumBarSpacing` allows, `size = ceil(bars · spacing / plotWidth)`
///   consecutive bars are drawn as one mark: first open, highest high, lowest low, last close (bars with a
///   non-finite price are skipped); volume bars sum the group's volume, histogram bars show its last value. Lines
///   are never thinned.
/// * Each pane is a `<g class="pane">` whose `data-top`, `data-bottom`, `data-min`, `data-max` and `data-scale`
///   give its y mapping: `y(v) = bottom − (f(v) − f(min)) / (f(max) − f(min)) · (bottom − top)`, f = ln on a log
///   scale, identity otherwise. The price domain is the extent of the drawn prices and overlays plus 4 % each side.
/// * Each candle is `<g class="candle up|down" data-i="first bar" data-n="bars">` holding a `<line>` wick and a
///   `<rect>` body (a horizontal `<line class="body">` when open == close); an OHLC bar is `<g class="ohlc …">`
///   with `<line class="hl">`, `<line class="open">` and `<line class="close">`.
/// * `logScale` maps prices by ln with 1-2-5 ticks per decade; it falls back to a linear scale when a drawn
///   price is ≤ 0. NaN (and, on a log scale, values ≤ 0) break lines.
public struct PriceChart: Sendable {
    /// The smallest distance in pixels between two candles (or OHLC or volume bars) before bars are grouped:
    /// 1, one mark per pixel column.
    public static let minimumBarSpacing = 1.0

    struct Pane: Sendable {
        let name: String
        let series: [NamedSeries]
        let style: PaneStyle
        let guides: [Double]
    }

    public let dates: [String]
    public let open: [Double]
    public let high: [Double]
    public let low: [Double]
    public let close: [Double]
    public let volume: [Double]?
    public var style: PriceStyle
    public var title: String
    /// Canvas size in pixels; at least 200 wide and tall enough for the panes (140 + 70 per pane).
    public var width: Int
    public var height: Int
    public var theme: ChartTheme
    public var logScale: Bool
    var overlays: [NamedSeries] = []
    var panes: [Pane] = []

    public init(dates: [String], open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double]?,
                style: PriceStyle = .candles, title: String, width: Int = 1000, height: Int = 600, theme: ChartTheme = .light,
                logScale: Bool = false) {
        self.dates = dates
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.style = style
        self.title = title
        self.width = width
        self.height = height
        self.theme = theme
        self.logScale = logScale
    }

    /// A line on the price pane, one value per bar (NaN = gap, e.g. a moving average's warm-up), coloured by the
    /// theme's palette in the order added.
    public mutating func addOverlay(_ name: String, values: [Double]) {
        overlays.append(NamedSeries(name: name, values: values))
    }

    /// A pane under the price pane (in the order added), with dashed `guides` at fixed values (RSI 30 and 70).
    /// A `.volumeBars` pane with no series draws the chart's `volume`.
    public mutating func addPane(_ name: String, series: [(name: String, values: [Double])], style: PaneStyle = .lines, guides: [Double] = []) {
        panes.append(Pane(name: name, series: series.map { NamedSeries(name: $0.name, values: $0.values) }, style: style, guides: guides))
    }

    var barCount: Int { min(dates.count, open.count, high.count, low.count, close.count) }

    /// The chart as SVG text; equal input gives byte-identical output.
    public func svg() -> String {
        let n = barCount
        let width = max(self.width, 200)
        let height = max(self.height, 140 + 70 * panes.count)
        let bands = Canvas.paneBands(height: height, lower: panes.count)
        let priceSeries = style == .line ? [close] : [low, high]

        // Price domain; a log scale needs every drawn price > 0.
        var log = logScale
        if log, let (lo, _) = Canvas.extent(priceSeries, limit: n), lo <= 0 { log = false }
        let priceExtent = Canvas.extent(priceSeries + overlays.map(\.values), log: log, limit: n)
        let (pMin, pMax) = priceExtent.map { YScale.paddedDomain($0.0, $0.1, log: log, padding: 0.04) } ?? (0, 1)
        let priceScale = YScale(top: bands[0].top, bottom: bands[0].bottom, min: pMin, max: pMax, log: log)
        let priceTicks = Canvas.ticks(for: priceScale)
        let priceLabels = Canvas.tickLabels(priceTicks)

        // Pane domains that do not depend on grouping, to size the label margin; volume labels get 5 characters.
        var labelChars = priceLabels.map(\.count).max() ?? 0
        var paneScales: [YScale] = []
        for (k, pane) in panes.enumerated() {
            let band = bands[k + 1]
            var (lo, hi) = Canvas.extent(pane.series.map { Array($0.values.prefix(n)) } + [pane.guides]) ?? (0, 1)
            if pane.style == .histogramLast { (lo, hi) = (min(lo, 0), max(hi, 0)) }
            let (dMin, dMax) = YScale.paddedDomain(lo, hi, log: false, padding: 0.06)
            let scale = YScale(top: band.top, bottom: band.bottom, min: dMin, max: dMax, log: false)
            paneScales.append(scale)
            if pane.style != .volumeBars {
                labelChars = max(labelChars, Canvas.tickLabels(Canvas.ticks(for: scale)).map(\.count).max() ?? 0)
            }
        }
        if panes.contains(where: { $0.style == .volumeBars }) { labelChars = max(labelChars, 5) }
        let right = Double(width) - Double(labelChars) * Canvas.charWidth - 14
        let x = XScale(left: Canvas.leftMargin, right: right, count: n)
        let groups = BarGroups(barCount: n, plotWidth: right - Canvas.leftMargin, minimumSpacing: Self.minimumBarSpacing)

        let dateLabels = Canvas.dateLabels(dates.prefix(n), x: x)
        let verticals = dateLabels.map { x.x($0.index) }
        let lineCount = overlays.count + panes.reduce(0) { $0 + $1.series.count } + (style == .line ? 1 : 0)
        var canvas = Canvas(width: width, height: height, theme: theme, title: title, seed: n,
                            capacity: 4_096 + groups.count * (style == .line ? 60 : 190) + lineCount * n * 16)
        canvas.begin(title: title)

        canvas.openPane(index: 0, name: "price", scale: priceScale, x: x, ticks: priceTicks, labels: priceLabels, verticals: verticals)
        var legend: [LegendItem] = []
        var colorIndex = 0
        switch style {
        case .candles, .ohlc: drawBars(&canvas, x: x, scale: priceScale, groups: groups)
        case .line:
            canvas.linePath(NamedSeries(name: "Close", values: close), x: x, scale: priceScale, color: theme.color(0))
            legend.append(LegendItem(name: "Close", color: theme.color(0), filled: false))
            colorIndex = 1
        }
        for overlay in overlays {
            let color = theme.color(colorIndex)
            canvas.linePath(overlay, x: x, scale: priceScale, color: color)
            legend.append(LegendItem(name: overlay.name, color: color, filled: false))
            colorIndex += 1
        }
        if priceExtent == nil { canvas.noData(x: x, bottom: bands[0].bottom) }
        canvas.closePane(scale: priceScale, x: x, legend: legend)

        for (k, pane) in panes.enumerated() {
            drawPane(&canvas, pane: pane, index: k + 1, scale: paneScales[k], x: x, groups: groups, verticals: verticals)
        }
        canvas.dateLabels(dateLabels, x: x, baseline: bands[bands.count - 1].bottom + 17)
        return canvas.finish()
    }

    /// OHLC of a group of bars: first open, highest high, lowest low, last close over the bars whose four prices
    /// are finite; nil when there is none.
    func aggregate(_ range: Range<Int>) -> (open: Double, high: Double, low: Double, close: Double)? {
        var result: (open: Double, high: Double, low: Double, close: Double)?
        for i in range where open[i].isFinite && high[i].isFinite && low[i].isFinite && close[i].isFinite {
            if let r = result {
                result = (r.open, max(r.high, high[i]), min(r.low, low[i]), close[i])
            } else {
                result = (open[i], high[i], low[i], close[i])
            }
        }
        return result
    }

    private func drawBars(_ canvas: inout Canvas, x: XScale, scale: YScale, groups: BarGroups) {
        let candles = style == .candles
        canvas.out.raw(candles ? "<g class=\"candles\" stroke-width=\"1\">\n" : "<g class=\"ohlcs\" stroke-width=\"1\">\n")
        for g in 0..<groups.count {
            let range = groups.range(g)
            guard let bar = aggregate(range), scale.drawable(bar.low), scale.drawable(bar.high) else { continue }
            let up = bar.close >= bar.open
            let color = up ? theme.up : theme.down
            let span = Double(range.count) * x.slot
            let cx = x.center(start: range.lowerBound, count: range.count)
            let yOpen = scale.y(bar.open), yClose = scale.y(bar.close)
            canvas.out.raw(candles ? "<g class=\"candle " : "<g class=\"ohlc ")
            canvas.out.raw(up ? "up\" data-i=\"" : "down\" data-i=\"")
            canvas.out.int(range.lowerBound)
            canvas.out.raw("\" data-n=\"")
            canvas.out.int(range.count)
            canvas.out.raw("\" stroke=\"")
            canvas.out.escaped(color)
            if candles {
                canvas.out.raw("\" fill=\"")
                canvas.out.escaped(color)
                canvas.out.raw("\"><line class=\"wick\"")
            } else {
                canvas.out.raw("\"><line class=\"hl\"")
            }
            canvas.out.attr("x1", cx)
            canvas.out.attr("y1", scale.y(bar.high))
            canvas.out.attr("x2", cx)
            canvas.out.attr("y2", scale.y(bar.low))
            canvas.out.raw("/>")
            if candles {
                let bodyWidth = max(1, span * 0.7)
                if bar.open == bar.close {
                    canvas.out.raw("<line class=\"body\"")
                    canvas.out.attr("x1", cx - bodyWidth / 2)
                    canvas.out.attr("y1", yOpen)
                    canvas.out.attr("x2", cx + bodyWidth / 2)
                    canvas.out.attr("y2", yClose)
                    canvas.out.raw("/>")
                } else {
                    canvas.out.raw("<rect class=\"body\"")
                    canvas.out.attr("x", cx - bodyWidth / 2)
                    let top = SVGWriter.rounded(min(yOpen, yClose)), bottom = SVGWriter.rounded(max(yOpen, yClose))
                    canvas.out.attr("y", top)
                    canvas.out.attr("width", bodyWidth)
                    canvas.out.attr("height", bottom - top)
                    canvas.out.raw(" stroke=\"none\"/>")
                }
            } else {
                let tick = max(1, span * 0.4)
                canvas.out.raw("<line class=\"open\"")
                canvas.out.attr("x1", cx - tick)
                canvas.out.attr("y1", yOpen)
                canvas.out.attr("x2", cx)
                canvas.out.attr("y2", yOpen)
                canvas.out.raw("/><line class=\"close\"")
                canvas.out.attr("x1", cx)
                canvas.out.attr("y1", yClose)
                canvas.out.attr("x2", cx + tick)
                canvas.out.attr("y2", yClose)
                canvas.out.raw("/>")
            }
            canvas.out.raw("</g>\n")
        }
        canvas.out.raw("</g>\n")
    }
}
