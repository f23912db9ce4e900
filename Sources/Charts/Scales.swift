import Foundation

/// The vertical mapping of one pane, written into the SVG as the pane group's `data-top`, `data-bottom`,
/// `data-min`, `data-max` and `data-scale` so that a reader can map any pixel y back to a value:
///
///     f = ln (data-scale="log") or identity (data-scale="linear")
///     y(v) = bottom − (f(v) − f(min)) / (f(max) − f(min)) · (bottom − top)
///     v(y) = f⁻¹(f(min) + (bottom − y) / (bottom − top) · (f(max) − f(min)))
///
/// Coordinates are written with two decimals, so a read-back y is within 0.005 px of the exact one.
struct YScale {
    let top: Double
    let bottom: Double
    let min: Double
    let max: Double
    let log: Bool
    private let fMin: Double
    private let perUnit: Double

    init(top: Double, bottom: Double, min: Double, max: Double, log: Bool) {
        self.top = top
        self.bottom = bottom
        self.min = min
        self.max = max
        self.log = log
        fMin = log ? Foundation.log(min) : min
        let fMax = log ? Foundation.log(max) : max
        perUnit = (bottom - top) / (fMax - fMin)
    }

    func y(_ value: Double) -> Double {
        bottom - ((log ? Foundation.log(value) : value) - fMin) * perUnit
    }

    /// Whether `value` can be drawn (finite, and positive on a log scale).
    func drawable(_ value: Double) -> Bool {
        value.isFinite && (!log || value > 0)
    }

    /// The domain to draw [lo, hi] with `padding` (a fraction of the span, in ln units on a log scale) on each
    /// side; a flat range is widened like `NiceTicks.ticks` does (±10 %, or −1...1 around 0; ×/÷ 1.1 on log).
    static func paddedDomain(_ lo: Double, _ hi: Double, log: Bool, padding: Double) -> (Double, Double) {
        if log {
            if lo == hi { return (lo / 1.1, hi * 1.1) }
            let span = Foundation.log(hi / lo)
            return (lo * exp(-span * padding), hi * exp(span * padding))
        }
        if lo == hi { return lo == 0 ? (-1, 1) : (lo - lo.magnitude * 0.1, hi + hi.magnitude * 0.1) }
        let span = hi - lo
        return (lo - span * padding, hi + span * padding)
    }
}

/// The horizontal mapping shared by every pane: by bar index (trading days), so weekends and holidays leave no
/// gap. Bar i is centred at `x(i) = left + (i + 0.5) · slot`, `slot = (right − left) / barCount`; a group of
/// bars [start, start + count) is centred at `left + (start + count / 2) · slot`.
struct XScale {
    let left: Double
    let right: Double
    let count: Int
    let slot: Double

    init(left: Double, right: Double, count: Int) {
        self.left = left
        self.right = right
        self.count = count
        slot = (right - left) / Double(Swift.max(count, 1))
    }

    func x(_ index: Int) -> Double { left + (Double(index) + 0.5) * slot }

    func center(start: Int, count: Int) -> Double { left + (Double(start) + Double(count) * 0.5) * slot }
}

/// Consecutive bars drawn as one mark when there are more bars than room: every group holds `size` bars
/// (the last one fewer), `size = ceil(barCount · minimumSpacing / plotWidth)`, so marks are at least
/// `minimumSpacing` pixels apart. With `minimumSpacing` 1 this is one candle per pixel column.
struct BarGroups {
    let size: Int
    let count: Int
    let barCount: Int

    init(barCount: Int, plotWidth: Double, minimumSpacing: Double) {
        self.barCount = barCount
        let needed = (Double(barCount) * minimumSpacing / Swift.max(plotWidth, 1)).rounded(.up)
        size = Swift.max(1, Int(needed))
        count = (barCount + size - 1) / size
    }

    func range(_ group: Int) -> Range<Int> { (group * size)..<Swift.min((group + 1) * size, barCount) }
}
