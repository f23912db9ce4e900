/// One side of an alert comparison other than the watched value: a constant, or a series the caller evaluates.
///
/// `Quant` does not parse expressions (that is `QuantExpression`, which depends on `Quant`), so a series is
/// named here (`"sma(close, 50)"`) and its values, aligned with the bars, are passed to ``AlertEvaluator``.
/// JSON: a number for `.value`, a string for `.series`.
public enum AlertOperand: Sendable, Hashable, Codable {
    case value(Double)
    case series(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .value(number)
        } else {
            self = .series(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .value(let number): try container.encode(number)
        case .series(let name): try container.encode(name)
        }
    }
}

/// How far a value must move for `movingUp`/`movingDown`: an amount in the value's units, or a percentage
/// (`5` is 5 %) of the reference extreme. JSON: `{"amount": 2}` or `{"percent": 5}`.
public enum AlertMove: Sendable, Hashable {
    case amount(Double)
    case percent(Double)

    var size: Double {
        switch self {
        case .amount(let a): a
        case .percent(let p): p
        }
    }
}

/// An alert condition as TradingView's alert dialog offers them, on a watched value `x` (a price or any
/// indicator) against an operand `y` (a level, a second series) or a channel `[lower, upper]`.
///
/// Conditions are evaluated bar by bar; `t` is the bar being evaluated and `t − 1` the bar before it. Any NaN
/// among the values a condition reads makes it false (an indicator's warm-up never triggers anything).
/// Operator names follow TradingView's help, "Getting started with technical alerts"
/// (https://www.tradingview.com/support/solutions/43000763315/); the exact rules below are ours where that
/// page gives none, and match `QuantExpression`'s `crosses_above`/`crosses_below` for crossings.
///
/// | condition | true at bar t when |
/// |---|---|
/// | `crossingUp(y)` | `x[t] > y[t]` and `x[t−1] ≤ y[t−1]` (equal then above counts, as Pine's `ta.crossover`) |
/// | `crossingDown(y)` | `x[t] < y[t]` and `x[t−1] ≥ y[t−1]` |
/// | `crossing(y)` | crossing up or crossing down |
/// | `greaterThan(y)` | `x[t] > y[t]` (strict: equal is not greater) |
/// | `lessThan(y)` | `x[t] < y[t]` (strict) |
/// | `insideChannel(lo, hi)` | `lo[t] ≤ x[t] ≤ hi[t]` (the edges are inside) |
/// | `outsideChannel(lo, hi)` | `x[t] < lo[t]` or `x[t] > hi[t]` |
/// | `enteringChannel(lo, hi)` | outside at t − 1 and inside at t |
/// | `exitingChannel(lo, hi)` | inside at t − 1 and outside at t |
/// | `movingUp(by, bars: n)` | `x[t] − min(x[t−n] … x[t−1]) ≥ amount`, or for a percentage `≥ p/100 · min` with `min > 0` |
/// | `movingDown(by, bars: n)` | `max(x[t−n] … x[t−1]) − x[t] ≥ amount`, or for a percentage `≥ p/100 · max` with `max > 0` |
///
/// A channel whose bounds are in the wrong order on a bar (two moving averages that have crossed) is taken as
/// `[min(lo, hi), max(lo, hi)]`. A percentage move is compared as `(x[t] − min) · 100 ≥ p · min`, so whole
/// percentages of round prices compare exactly. A bar with fewer than `bars` bars before it (or, for
/// crossings and channel entries/exits, none) is false.
public enum AlertCondition: Sendable, Hashable {
    case crossing(AlertOperand)
    case crossingUp(AlertOperand)
    case crossingDown(AlertOperand)
    case greaterThan(AlertOperand)
    case lessThan(AlertOperand)
    case enteringChannel(lower: AlertOperand, upper: AlertOperand)
    case exitingChannel(lower: AlertOperand, upper: AlertOperand)
    case insideChannel(lower: AlertOperand, upper: AlertOperand)
    case outsideChannel(lower: AlertOperand, upper: AlertOperand)
    case movingUp(AlertMove, bars: Int)
    case movingDown(AlertMove, bars: Int)

    /// Bars before `t` the condition reads: 1 for crossings and channel entries/exits, `bars` for moves, else 0.
    /// A host passes at least this many bars before the first bar it wants evaluated.
    public var lookback: Int {
        switch self {
        case .crossing, .crossingUp, .crossingDown, .enteringChannel, .exitingChannel: 1
        case .greaterThan, .lessThan, .insideChannel, .outsideChannel: 0
        case .movingUp(_, let bars), .movingDown(_, let bars): bars
        }
    }

    /// The series the evaluator's `y` must hold: the level of a comparison or the lower bound of a channel.
    public var ySeries: String? {
        switch self {
        case .crossing(let y), .crossingUp(let y), .crossingDown(let y), .greaterThan(let y), .lessThan(let y):
            if case .series(let name) = y { return name }
        case .enteringChannel(let lower, _), .exitingChannel(let lower, _), .insideChannel(let lower, _),
            .outsideChannel(let lower, _):
            if case .series(let name) = lower { return name }
        case .movingUp, .movingDown: break
        }
        return nil
    }

    /// The series the evaluator's `yUpper` must hold: the upper bound of a channel.
    public var yUpperSeries: String? {
        switch self {
        case .enteringChannel(_, let upper), .exitingChannel(_, let upper), .insideChannel(_, let upper),
            .outsideChannel(_, let upper):
            if case .series(let name) = upper { return name }
        default: break
        }
        return nil
    }

    /// Refuses a non-finite constant, an empty series name, a move that is not positive and finite, or
    /// `bars < 1`.
    public func validate() throws(QuantError) {
        func check(_ operand: AlertOperand, _ name: String) throws(QuantError) {
            switch operand {
            case .value(let v) where !v.isFinite: throw .invalidParameter(name, v, "must be a finite number")
            case .series(let s) where s.isEmpty: throw .invalidParameter(name, "\"\"", "a series needs a name")
            default: break
            }
        }
        switch self {
        case .crossing(let y), .crossingUp(let y), .crossingDown(let y), .greaterThan(let y), .lessThan(let y):
            try check(y, "level")
        case .enteringChannel(let lower, let upper), .exitingChannel(let lower, let upper),
            .insideChannel(let lower, let upper), .outsideChannel(let lower, let upper):
            try check(lower, "lower")
            try check(upper, "upper")
        case .movingUp(let move, let bars), .movingDown(let move, let bars):
            guard move.size.isFinite, move.size > 0 else { throw .invalidParameter("move", move.size, "must be positive and finite") }
            guard bars >= 1 else { throw .invalidParameter("bars", bars, "must be at least 1") }
        }
    }

    /// Whether the condition holds at bar `t` of `x` (with `y`/`yUpper` holding the series operands, already
    /// checked to be present and aligned with `x`).
    @inline(__always)
    func holds(at t: Int, x: [Double], y: [Double]?, yUpper: [Double]?) -> Bool {
        switch self {
        case .crossing(let level):
            guard t > 0 else { return false }
            let (a, b, pa, pb) = (x[t], level.at(t, y), x[t - 1], level.at(t - 1, y))
            return (a > b && pa <= pb) || (a < b && pa >= pb)  // NaN makes every comparison false
        case .crossingUp(let level):
            guard t > 0 else { return false }
            return x[t] > level.at(t, y) && x[t - 1] <= level.at(t - 1, y)
        case .crossingDown(let level):
            guard t > 0 else { return false }
            return x[t] < level.at(t, y) && x[t - 1] >= level.at(t - 1, y)
        case .greaterThan(let level):
            return x[t] > level.at(t, y)
        case .lessThan(let level):
            return x[t] < level.at(t, y)
        case .insideChannel(let lower, let upper):
            return Self.channel(x[t], lower.at(t, y), upper.at(t, yUpper)) == .inside
        case .outsideChannel(let lower, let upper):
            return Self.channel(x[t], lower.at(t, y), upper.at(t, yUpper)) == .outside
        case .enteringChannel(let lower, let upper):
            guard t > 0 else { return false }
            return Self.channel(x[t], lower.at(t, y), upper.at(t, yUpper)) == .inside
                && Self.channel(x[t - 1], lower.at(t - 1, y), upper.at(t - 1, yUpper)) == .outside
        case .exitingChannel(let lower, let upper):
            guard t > 0 else { return false }
            return Self.channel(x[t], lower.at(t, y), upper.at(t, yUpper)) == .outside
                && Self.channel(x[t - 1], lower.at(t - 1, y), upper.at(t - 1, yUpper)) == .inside
        case .movingUp(let move, let bars):
            guard t >= bars, !x[t].isNaN else { return false }
            var low = Double.infinity
            for k in (t - bars)..<t {
                let v = x[k]
                if v.isNaN { return false }
                if v < low { low = v }
            }
            switch move {
            case .amount(let a): return x[t] - low >= a
            case .percent(let p): return low > 0 && (x[t] - low) * 100 >= p * low
            }
        case .movingDown(let move, let bars):
            guard t >= bars, !x[t].isNaN else { return false }
            var high = -Double.infinity
            for k in (t - bars)..<t {
                let v = x[k]
                if v.isNaN { return false }
                if v > high { high = v }
            }
            switch move {
            case .amount(let a): return high - x[t] >= a
            case .percent(let p): return high > 0 && (high - x[t]) * 100 >= p * high
            }
        }
    }

    enum ChannelPosition { case inside, outside, undefined }

    @inline(__always)
    static func channel(_ x: Double, _ a: Double, _ b: Double) -> ChannelPosition {
        guard !x.isNaN, !a.isNaN, !b.isNaN else { return .undefined }
        let (lo, hi) = a <= b ? (a, b) : (b, a)
        return x >= lo && x <= hi ? .inside : .outside
    }
}

extension AlertOperand {
    /// The operand at bar `t`: the constant, or `series[t]`.
    @inline(__always)
    func at(_ t: Int, _ series: [Double]?) -> Double {
        switch self {
        case .value(let v): v
        case .series: series![t]
        }
    }
}
