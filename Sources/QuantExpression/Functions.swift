import Quant

/// Every function of the language, with its parameters, result type and the first bar its value is defined on.
/// Indicators call `Quant.Indicators` with its defaults (TA-Lib conventions: SMA-seeded EMAs, `.taLib` warm-up);
/// docs/expressions.md lists each mapping.
enum Function: String, CaseIterable, Sendable {
    case sma, ema, wma, dema, tema, kama, rsi, roc, momentum, trix
    case macd, macdSignal = "macd_signal", macdHist = "macd_hist"
    case bbUpper = "bb_upper", bbMiddle = "bb_middle", bbLower = "bb_lower"
    case atr, natr, adx, plusDI = "plus_di", minusDI = "minus_di"
    case stochK = "stoch_k", stochD = "stoch_d"
    case cci, willr, mfi, obv
    case donchianUpper = "donchian_upper", donchianMiddle = "donchian_middle", donchianLower = "donchian_lower"
    case highest, lowest, change, pctChange = "pct_change"
    case abs, min, max, between

    /// What a call's argument must be.
    enum Parameter: Sendable {
        /// Any number expression (a series); `named` is how messages call it.
        case series(String)
        /// An integer literal in `range`.
        case period(String, ClosedRange<Int>)
        /// A number literal (optionally negated) in `range`.
        case number(String, ClosedRange<Double>)

        var name: String {
            switch self {
            case .series(let name), .period(let name, _), .number(let name, _): name
            }
        }
    }

    /// Periods: 1 to 10,000 bars.
    static let periods = 1...10_000

    var parameters: [Parameter] {
        let period = Parameter.period("period", Self.periods)
        switch self {
        case .sma, .ema, .wma, .dema, .tema, .kama, .rsi, .roc, .momentum, .trix, .highest, .lowest, .change, .pctChange:
            return [.series("series"), period]
        case .macd, .macdSignal, .macdHist:
            return [.series("series"), .period("fast", Self.periods), .period("slow", Self.periods), .period("signal", Self.periods)]
        case .bbUpper, .bbMiddle, .bbLower:
            return [.series("series"), period, .number("deviations", 0...10)]
        case .atr, .natr, .adx, .plusDI, .minusDI, .cci, .willr, .mfi, .donchianUpper, .donchianMiddle, .donchianLower:
            return [period]
        case .stochK, .stochD:
            return [period, .period("k_smoothing", Self.periods), .period("d_period", Self.periods)]
        case .obv: return []
        case .abs: return [.series("x")]
        case .min, .max: return [.series("a"), .series("b")]
        case .between: return [.series("x"), .series("low"), .series("high")]
        }
    }

    /// `(series, period)`, as messages and the docs show the signature.
    var signature: String { "(" + parameters.map(\.name).joined(separator: ", ") + ")" }

    var resultType: ExpressionType { self == .between ? .boolean : .number }

    /// Element-wise helpers read only the current bar of their arguments, so they may take state variables;
    /// indicators need whole columns.
    var isElementwise: Bool { self == .abs || self == .min || self == .max || self == .between }

    /// Bars before the first defined value when the series argument is defined from bar 0 (TA-Lib's lookback,
    /// as documented on each `Indicators` function).
    func warmUp(_ p: [Int]) -> Int {
        switch self {
        case .sma, .ema, .wma, .bbUpper, .bbMiddle, .bbLower, .cci, .willr, .highest, .lowest,
            .donchianUpper, .donchianMiddle, .donchianLower:
            p[0] - 1
        case .dema: 2 * (p[0] - 1)
        case .tema: 3 * (p[0] - 1)
        case .trix: 3 * (p[0] - 1) + 1
        case .kama, .rsi, .roc, .momentum, .atr, .natr, .plusDI, .minusDI, .mfi, .change, .pctChange: p[0]
        case .adx: 2 * p[0] - 1
        case .macd, .macdSignal, .macdHist: p[1] + p[2] - 2
        case .stochK, .stochD: p[0] + p[1] + p[2] - 3
        case .obv, .abs, .min, .max, .between: 0
        }
    }

    /// Checks relations between parameters that their ranges alone do not express.
    func checkParameters(_ p: [Int]) -> String? {
        switch self {
        case .macd, .macdSignal, .macdHist:
            p[1] > p[0] ? nil : "the slow period (\(p[1])) must be greater than the fast period (\(p[0]))"
        default: nil
        }
    }

    /// The name closest to `name` by edit distance (at most 2 edits, or a prefix), for "did you mean" hints.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(name, candidate)
            if distance <= 2 || (name.count >= 3 && candidate.hasPrefix(name)), distance < (best?.1 ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var row = previous
        for i in 1...a.count {
            row[0] = i
            for j in 1...b.count {
                row[j] = Swift.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &row)
        }
        return previous[b.count]
    }
}
