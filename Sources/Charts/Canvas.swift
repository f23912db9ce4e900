import Foundation

/// A named value series (an overlay, a pane's line, a compared instrument). NaN marks a gap.
struct NamedSeries: Sendable {
    let name: String
    let values: [Double]

    /// Value at `index`, NaN past the end (series shorter than the bars are padded with gaps).
    subscript(_ index: Int) -> Double { index < values.count ? values[index] : .nan }
}

/// A legend entry: a line swatch (series) or a filled square (bars, areas).
struct LegendItem {
    let name: String
    let color: String
    let filled: Bool
}

/// The drawing primitives both chart types share: document frame, panes with grid, right-aligned tick labels,
/// legend and clip, NaN-breaking line paths, guides and the date axis.
struct Canvas {
    static let titleHeight = 34.0
    static let axisHeight = 26.0
    static let paneGap = 10.0
    static let leftMargin = 14.0
    static let fontSize = 11.0
    /// Width of one character of the 11 px label font, for layout (digits of common sans-serif fonts are ~6.1 px).
    static let charWidth = 6.5

    var out: SVGWriter
    let width: Int
    let height: Int
    let theme: ChartTheme
    let idPrefix: String

    init(width: Int, height: Int, theme: ChartTheme, title: String, seed: Int, capacity: Int) {
        self.width = width
        self.height = height
        self.theme = theme
        out = SVGWriter(capacity: capacity)
        // Clip ids must be unique when several charts are inlined in one HTML page, and stable for equal input.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(title)|\(width)|\(height)|\(seed)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        idPrefix = "bc" + String(hash >> 32, radix: 16)
    }

    /// Pane rectangles top to bottom: the main pane takes what the `lower` panes (each min(22 %, 55 % / lower) of
    /// the plot height) leave.
    static func paneBands(height: Int, lower: Int) -> [(top: Double, bottom: Double)] {
        let available = Double(height) - titleHeight - axisHeight - paneGap * Double(lower)
        let share = lower == 0 ? 0 : min(0.22, 0.55 / Double(lower))
        let lowerHeight = available * share
        var bands = [(top: titleHeight, bottom: titleHeight + available - lowerHeight * Double(lower))]
        for _ in 0..<lower {
            let top = bands[bands.count - 1].bottom + paneGap
            bands.append((top, top + lowerHeight))
        }
        return bands
    }

    /// Finite (and, for `log`, positive) extent of several series.
    static func extent(_ series: [[Double]], log: Bool = false, limit: Int = .max) -> (Double, Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        for values in series {
            for v in values.prefix(limit) where v.isFinite && (!log || v > 0) {
                lo = min(lo, v)
                hi = max(hi, v)
            }
        }
        return lo <= hi ? (lo, hi) : nil
    }

    /// Tick values inside the scale's domain: NiceTicks asked for one tick per 50 px, then for more (up to 16) while
    /// fewer than one per 80 px (and at least two) fall inside — Heckbert's rounding of the range can make the step
    /// coarse, and a short pane's loose ticks can all fall outside its domain.
    static func ticks(for scale: YScale) -> [Double] {
        let slack = (scale.max - scale.min) * 1e-9
        let height = scale.bottom - scale.top
        let wanted = max(2, Int(height / 80))
        var count = max(3, Int(height / 50))
        var inside: [Double] = []
        while count <= 16 {
            let all = scale.log ? NiceTicks.logTicks(min: scale.min, max: scale.max, count: count)
                : NiceTicks.ticks(min: scale.min, max: scale.max, count: count)
            inside = all.filter { $0 >= scale.min - slack && $0 <= scale.max + slack }
            if inside.count >= wanted { break }
            count += 1
        }
        return inside
    }

    /// Labels with the decimals the ticks need (`0.012`, `20.5` and `20.0` alike), in millions (`20M`) when the
    /// largest is a million or more, in billions (`1.5B`) from a billion, and with `thousands` (volume) in
    /// thousands (`500k`) from ten thousand; zero is always `0`.
    static func tickLabels(_ ticks: [Double], thousands: Bool = false) -> [String] {
        let largest = ticks.map(\.magnitude).max() ?? 0
        let (divisor, suffix) = largest >= 1e9 ? (1e9, "B") : largest >= 1e6 ? (1e6, "M")
            : thousands && largest >= 1e4 ? (1e3, "k") : (1.0, "")
        let scaled = ticks.map { $0 / divisor }
        let decimals = NiceTicks.decimals(for: scaled)
        return scaled.map { value in
            if value == 0 { return "0" }
            var writer = SVGWriter(capacity: 16)
            writer.fixed(value, decimals: decimals, trim: false)
            return writer.string + suffix
        }
    }

    static func textWidth(_ text: String) -> Double { Double(text.count) * charWidth }

    // MARK: document

    mutating func begin(title: String) {
        out.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"")
        out.int(width)
        out.raw("\" height=\"")
        out.int(height)
        out.raw("\" viewBox=\"0 0 ")
        out.int(width)
        out.raw(" ")
        out.int(height)
        out.raw("\" font-family=\"")
        out.escaped(theme.fontFamily)
        out.raw("\" font-size=\"11\">\n<title>")
        out.escaped(title)
        out.raw("</title>\n<rect class=\"background\" width=\"")
        out.int(width)
        out.raw("\" height=\"")
        out.int(height)
        out.raw("\" fill=\"")
        out.escaped(theme.background)
        out.raw("\"/>\n<text class=\"title\" x=\"")
        out.num(Self.leftMargin)
        out.raw("\" y=\"22\" font-size=\"15\" font-weight=\"600\" fill=\"")
        out.escaped(theme.text)
        out.raw("\">")
        out.escaped(title)
        out.raw("</text>\n")
    }

    mutating func finish() -> String {
        out.raw("</svg>\n")
        return out.string
    }

    mutating func noData(x: XScale, bottom: Double) {
        out.raw("<text class=\"nodata\" x=\"")
        out.num((x.left + x.right) / 2)
        out.raw("\" y=\"")
        out.num((Self.titleHeight + bottom) / 2)
        out.raw("\" text-anchor=\"middle\" fill=\"")
        out.escaped(theme.mutedText)
        out.raw("\">No data</text>\n")
    }

    // MARK: panes

    /// Opens `<g class="pane">` with its mapping attributes, draws grid lines (horizontal at `ticks`, vertical at
    /// `verticals`) and the right-aligned tick labels, and opens the clipped content group.
    mutating func openPane(index: Int, name: String, scale: YScale, x: XScale, ticks: [Double], labels: [String], verticals: [Double]) {
        out.raw("<g class=\"pane\" data-name=\"")
        out.escaped(name)
        out.raw("\" data-scale=\"")
        out.raw(scale.log ? "log" : "linear")
        out.raw("\" data-top=\"")
        out.raw(scale.top.description)
        out.raw("\" data-bottom=\"")
        out.raw(scale.bottom.description)
        out.raw("\" data-min=\"")
        out.raw(scale.min.description)
        out.raw("\" data-max=\"")
        out.raw(scale.max.description)
        out.raw("\" data-x0=\"")
        out.raw(x.left.description)
        out.raw("\" data-x1=\"")
        out.raw(x.right.description)
        out.raw("\" data-n=\"")
        out.int(x.count)
        out.raw("\">\n<defs><clipPath id=\"")
        clipID(index)
        out.raw("\"><rect")
        out.attr("x", x.left)
        out.attr("y", scale.top)
        out.attr("width", x.right - x.left)
        out.attr("height", scale.bottom - scale.top)
        out.raw("/></clipPath></defs>\n<g class=\"grid\" stroke=\"")
        out.escaped(theme.grid)
        out.raw("\" stroke-width=\"1\" shape-rendering=\"crispEdges\">")
        for tick in ticks {
            let y = scale.y(tick)
            out.raw("<line")
            out.attr("x1", x.left)
            out.attr("y1", y)
            out.attr("x2", x.right)
            out.attr("y2", y)
            out.raw("/>")
        }
        for vx in verticals {
            out.raw("<line")
            out.attr("x1", vx)
            out.attr("y1", scale.top)
            out.attr("x2", vx)
            out.attr("y2", scale.bottom)
            out.raw("/>")
        }
        out.raw("</g>\n<g class=\"ylabels\" text-anchor=\"end\" fill=\"")
        out.escaped(theme.mutedText)
        out.raw("\">")
        for (tick, label) in zip(ticks, labels) {
            out.raw("<text")
            out.attr("x", Double(width) - 6)
            out.attr("y", scale.y(tick) + 4)
            out.raw(" data-value=\"")
            out.raw(tick.description)
            out.raw("\">")
            out.escaped(label)
            out.raw("</text>")
        }
        out.raw("</g>\n<g clip-path=\"url(#")
        clipID(index)
        out.raw(")\">\n")
    }

    /// Closes the content group, draws the legend and the pane border, closes the pane.
    mutating func closePane(scale: YScale, x: XScale, legend: [LegendItem]) {
        out.raw("</g>\n")
        if !legend.isEmpty { drawLegend(legend, left: x.left + 6, top: scale.top + 6, maxWidth: x.right - x.left - 12) }
        out.raw("<rect class=\"frame\"")
        out.attr("x", x.left)
        out.attr("y", scale.top)
        out.attr("width", x.right - x.left)
        out.attr("height", scale.bottom - scale.top)
        out.raw(" fill=\"none\" stroke=\"")
        out.escaped(theme.frame)
        out.raw("\" shape-rendering=\"crispEdges\"/>\n</g>\n")
    }

    private mutating func clipID(_ index: Int) {
        out.raw(idPrefix)
        out.raw("-")
        out.int(index)
    }

    /// Items in rows over a translucent background, each a swatch and the escaped name.
    private mutating func drawLegend(_ items: [LegendItem], left: Double, top: Double, maxWidth: Double) {
        let rowHeight = 16.0
        var positions: [(x: Double, y: Double)] = []
        var x = 0.0, y = 0.0, widest = 0.0
        for item in items {
            let itemWidth = 20 + Self.textWidth(item.name) + 12
            if x > 0 && x + itemWidth > maxWidth {
                x = 0
                y += rowHeight
            }
            positions.append((x, y))
            x += itemWidth
            widest = max(widest, x)
        }
        out.raw("<g class=\"legend\"><rect")
        out.attr("x", left - 2)
        out.attr("y", top - 2)
        out.attr("width", widest)
        out.attr("height", y + rowHeight + 2)
        out.raw(" rx=\"3\" fill=\"")
        out.escaped(theme.background)
        out.raw("\" fill-opacity=\"0.85\"/>")
        for (item, position) in zip(items, positions) {
            let x0 = left + position.x, y0 = top + position.y
            out.raw("<g class=\"item\" data-name=\"")
            out.escaped(item.name)
            out.raw("\" data-color=\"")
            out.escaped(item.color)
            out.raw("\">")
            if item.filled {
                out.raw("<rect")
                out.attr("x", x0 + 2)
                out.attr("y", y0 + 3)
                out.raw(" width=\"10\" height=\"10\" fill=\"")
            } else {
                out.raw("<line")
                out.attr("x1", x0)
                out.attr("y1", y0 + 8)
                out.attr("x2", x0 + 14)
                out.attr("y2", y0 + 8)
                out.raw(" stroke-width=\"2.5\" stroke=\"")
            }
            out.escaped(item.color)
            out.raw("\"/><text")
            out.attr("x", x0 + 20)
            out.attr("y", y0 + 12)
            out.raw(" fill=\"")
            out.escaped(theme.text)
            out.raw("\">")
            out.escaped(item.name)
            out.raw("</text></g>")
        }
        out.raw("</g>\n")
    }

    // MARK: marks

    /// One `<path>` through the drawable values, a new `M` after every gap (NaN, or ≤ 0 on a log scale); an
    /// isolated point becomes a zero-length `h0` segment that the round cap shows as a dot.
    mutating func linePath(_ series: NamedSeries, x: XScale, scale: YScale, color: String, width: Double = 1.5) {
        out.raw("<path class=\"line\" data-name=\"")
        out.escaped(series.name)
        out.raw("\" fill=\"none\" stroke=\"")
        out.escaped(color)
        out.raw("\" stroke-width=\"")
        out.num(width)
        out.raw("\" stroke-linejoin=\"round\" stroke-linecap=\"round\" d=\"")
        var run = 0
        for i in 0..<x.count {
            let v = series[i]
            guard scale.drawable(v) else {
                if run == 1 { out.raw("h0") }
                run = 0
                continue
            }
            out.raw(run == 0 ? "M" : "L")
            out.num(x.x(i))
            out.raw(" ")
            out.num(scale.y(v))
            run += 1
        }
        if run == 1 { out.raw("h0") }
        out.raw("\"/>\n")
    }

    /// Dashed horizontal lines at fixed values (RSI 30/70), with `data-value`.
    mutating func guides(_ values: [Double], x: XScale, scale: YScale) {
        guard !values.isEmpty else { return }
        out.raw("<g class=\"guides\" stroke=\"")
        out.escaped(theme.mutedText)
        out.raw("\" stroke-dasharray=\"4 3\" stroke-width=\"1\">")
        for value in values where scale.drawable(value) {
            let y = scale.y(value)
            out.raw("<line data-value=\"")
            out.raw(value.description)
            out.raw("\"")
            out.attr("x1", x.left)
            out.attr("y1", y)
            out.attr("x2", x.right)
            out.attr("y2", y)
            out.raw("/>")
        }
        out.raw("</g>\n")
    }

    /// Date labels centred under their bar, below the last pane.
    mutating func dateLabels(_ labels: [DateAxis.Label], x: XScale, baseline: Double) {
        out.raw("<g class=\"xaxis\" text-anchor=\"middle\" fill=\"")
        out.escaped(theme.mutedText)
        out.raw("\">")
        for label in labels {
            out.raw("<text class=\"xlabel\" data-i=\"")
            out.int(label.index)
            out.raw("\"")
            out.attr("x", x.x(label.index))
            out.attr("y", baseline)
            out.raw(">")
            out.escaped(label.text)
            out.raw("</text>")
        }
        out.raw("</g>\n")
    }

    /// Date labels that fit the plot width (at most one per 64 px, none closer than 36 px to the previous).
    static func dateLabels(_ dates: ArraySlice<String>, x: XScale) -> [DateAxis.Label] {
        let all = DateAxis.labels(dates: Array(dates), maxLabels: Int((x.right - x.left) / 64))
        var kept: [DateAxis.Label] = []
        var lastX = -Double.infinity
        for label in all {
            let lx = x.x(label.index)
            if lx - lastX >= 36 {
                kept.append(label)
                lastX = lx
            }
        }
        return kept
    }
}
