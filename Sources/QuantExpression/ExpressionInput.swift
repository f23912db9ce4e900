import Quant

/// The data an expression is evaluated over: validated bars and the host's extra series, aligned with the bars.
///
/// Extra series may hold NaN where a value is missing (it behaves like a warm-up: arithmetic gives NaN, comparisons
/// false); infinities are refused when the expression is prepared.
public struct ExpressionInput: Sendable {
    public let bars: OHLCV
    /// Extra series by the name the schema declares, each with `bars.count` values.
    public let series: [String: [Double]]

    public init(bars: OHLCV, series: [String: [Double]] = [:]) {
        self.bars = bars
        self.series = series
    }
}
