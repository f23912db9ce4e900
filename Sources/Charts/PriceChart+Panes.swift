extension PriceChart {
    /// One lower pane: its lines, volume or histogram bars (grouped like the candles), guides and legend.
    func drawPane(_ canvas: inout Canvas, pane: Pane, index: Int, scale lineScale: YScale, x: XScale, groups: BarGroups, verticals: [Double]) {
        let n = x.count
        var scale = lineScale
        var bars: [Canvas.Bar] = []
        var lines = pane.series
        var legend: [LegendItem] = []
        switch pane.style {
        case .lines:
            break
        case .volumeBars:
            let source = pane.series.first ?? NamedSeries(name: pane.name, values: volume ?? [])
            lines = []
            var largest = 0.0
            for g in 0..<groups.count {
                let range = groups.range(g)
                var sum = 0.0, any = false
                for i in range where source[i].isFinite {
                    sum += source[i]
                    any = true
                }
                guard any else { continue }
                let up = aggregate(range).map { $0.close >= $0.open } ?? true
                bars.append(Canvas.Bar(start: range.lowerBound, count: range.count, value: sum, up: up))
                largest = max(largest, sum)
            }
            let top = Swift.max(largest, pane.guides.max() ?? 0)
            scale = YScale(top: lineScale.top, bottom: lineScale.bottom, min: 0, max: top > 0 ? top * 1.08 : 1, log: false)
            legend.append(LegendItem(name: source.name, color: theme.up, filled: true))
        case .histogramLast:
            if let last = lines.popLast() {
                for g in 0..<groups.count {
                    let range = groups.range(g)
                    guard let i = range.last(where: { last[$0].isFinite }) else { continue }
                    bars.append(Canvas.Bar(start: range.lowerBound, count: range.count, value: last[i], up: last[i] >= 0))
                }
                legend.append(LegendItem(name: last.name, color: theme.up, filled: true))
            }
        }
        let ticks = Canvas.ticks(for: scale)
        canvas.openPane(index: index, name: pane.name, scale: scale, x: x, ticks: ticks,
                        labels: Canvas.tickLabels(ticks, thousands: pane.style == .volumeBars), verticals: verticals)
        if !bars.isEmpty { canvas.valueBars(bars, name: legend.last?.name ?? pane.name, x: x, scale: scale) }
        canvas.guides(pane.guides, x: x, scale: scale)
        var lineLegend: [LegendItem] = []
        for (k, series) in lines.enumerated() {
            let color = theme.color(k)
            canvas.linePath(NamedSeries(name: series.name, values: Array(series.values.prefix(n))), x: x, scale: scale, color: color)
            lineLegend.append(LegendItem(name: series.name, color: color, filled: false))
        }
        canvas.closePane(scale: scale, x: x, legend: lineLegend + legend)
    }
}

extension Canvas {
    /// A bar from 0 to `value` standing for bars [start, start + count).
    struct Bar {
        let start: Int
        let count: Int
        let value: Double
        let up: Bool
    }

    /// `<g class="bars">` with an `up` and a `down` group of `<rect data-i data-n>`, each from y(0) to y(value),
    /// 70 % of its slot wide (at least 1 px).
    mutating func valueBars(_ bars: [Bar], name: String, x: XScale, scale: YScale) {
        out.raw("<g class=\"bars\" data-name=\"")
        out.escaped(name)
        out.raw("\">\n")
        for up in [true, false] {
            out.raw(up ? "<g class=\"up\" fill=\"" : "<g class=\"down\" fill=\"")
            out.escaped(up ? theme.up : theme.down)
            out.raw("\">")
            for bar in bars where bar.up == up {
                let width = max(1, Double(bar.count) * x.slot * 0.7)
                let y0 = SVGWriter.rounded(scale.y(max(bar.value, 0))), y1 = SVGWriter.rounded(scale.y(min(bar.value, 0)))
                out.raw("<rect data-i=\"")
                out.int(bar.start)
                out.raw("\" data-n=\"")
                out.int(bar.count)
                out.raw("\"")
                out.attr("x", x.center(start: bar.start, count: bar.count) - width / 2)
                out.attr("y", y0)
                out.attr("width", width)
                out.attr("height", y1 - y0)
                out.raw("/>")
            }
            out.raw("</g>\n")
        }
        out.raw("</g>\n")
    }
}
