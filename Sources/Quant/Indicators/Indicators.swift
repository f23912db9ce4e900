/// Technical indicators: pure functions over price arrays.
///
/// Conventions shared by every function (see docs/quant-indicators.md):
/// - Every output has the input's length. Bars before an output is defined (the warm-up, TA-Lib's
///   "lookback") hold `Double.nan`; after the warm-up no output is NaN. Outputs computed together by one
///   TA-Lib function (MACD, STOCH, BBANDS, AROON) start on the same bar, as in TA-Lib.
/// - Input shorter than the warm-up + 1 gives outputs that are entirely NaN (not an error).
/// - Empty input, inputs of different lengths, NaN or infinite values and a period below its minimum throw
///   `QuantError` naming the input or parameter.
/// - Defaults follow TA-Lib 0.6 (the C core of the `TA-Lib` Python wheel) value for value; where the
///   StockCharts ChartSchool worked examples or pandas/`ta` start differently, a `WarmUp` or `Seed` option
///   selects that variant.
public enum Indicators {}

/// How Wilder-smoothed range indicators (ATR, +DI/−DI, ADX, Keltner's ATR) start.
public enum WarmUp: Sendable, Hashable {
    /// TA-Lib: the true range starts at bar 1; the first ATR (bar n) is the mean of TR[1...n]; the first
    /// +DM/−DM/TR sums hold n−1 one-bar values followed by one Wilder step.
    case taLib
    /// StockCharts ChartSchool (Wilder's book): TR[0] = High[0] − Low[0] and the first ATR (bar n−1) is the
    /// mean of TR[0...n−1]; the first +DM/−DM/TR sums (bar n) are plain sums of the n one-bar values 1...n.
    case stockCharts
}

/// How exponential averages (EMA, MACD, PPO, RSI's Wilder averages, Keltner's middle line) are seeded.
public enum Seed: Sendable, Hashable {
    /// TA-Lib and StockCharts: the first average is the simple mean of the first full window.
    case sma
    /// pandas `ewm(adjust=False)` (the Python `ta` library): the average starts at the first value and is
    /// defined from the first bar; RSI's averages start at 0 on bar 0.
    case firstValue
}
