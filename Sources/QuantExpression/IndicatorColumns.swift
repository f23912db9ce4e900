import Quant

/// Computes function columns with `Quant.Indicators` (never re-implemented here).
///
/// Functions that return several lines from one Quant call (MACD, Bollinger Bands, directional movement,
/// stochastics, Donchian channel, ATR for NATR) share one call per distinct argument list: `macd(close, 12, 26, 9)`
/// and `macd_signal(close, 12, 26, 9)` cost one `Indicators.macd`.
struct IndicatorColumns {
    /// A Quant call: the function that owns it, its series argument node and its parameters.
    struct Key: Hashable {
        let family: Function
        let series: Int?
        let periods: [Int]
        let number: Double?
    }

    private var cache: [Key: [[Double]]] = [:]
    /// Number of Quant calls made (for tests of sharing).
    private(set) var calls = 0

    /// The column of `function` over `series` (the series argument's column, if the function takes one).
    mutating func column(
        _ function: Function, seriesNode: Int?, series: [Double]?, periods p: [Int], number: Double?, bars: OHLCV
    ) throws(QuantError) -> [Double] {
        let (family, output) = Self.family(of: function)
        let key = Key(family: family, series: seriesNode, periods: p, number: number)
        let lines: [[Double]]
        if let cached = cache[key] {
            lines = cached
        } else {
            calls += 1
            lines = try Self.compute(family, series: series, periods: p, number: number, bars: bars)
            cache[key] = lines
        }
        if function == .natr {
            // TA-Lib NATR: 100 · ATR / close (NaN for a zero close, as division by zero is everywhere here).
            return zip(lines[0], bars.close).map { atr, close in
                let value = 100 * (atr / close)
                return value.isFinite ? value : .nan
            }
        }
        return lines[output]
    }

    /// The function whose Quant call yields `function`'s line, and the line's index in that call's result.
    static func family(of function: Function) -> (Function, Int) {
        switch function {
        case .macdSignal: (.macd, 1)
        case .macdHist: (.macd, 2)
        case .bbMiddle: (.bbUpper, 1)
        case .bbLower: (.bbUpper, 2)
        case .natr: (.atr, 0)
        case .plusDI: (.adx, 1)
        case .minusDI: (.adx, 2)
        case .stochD: (.stochK, 1)
        case .donchianMiddle: (.donchianUpper, 1)
        case .donchianLower: (.donchianUpper, 2)
        case .lowest: (.highest, 1)
        default: (function, 0)
        }
    }

    private static func compute(
        _ family: Function, series: [Double]?, periods p: [Int], number: Double?, bars: OHLCV
    ) throws(QuantError) -> [[Double]] {
        if let series {
            return try segmented(series) { (x: [Double]) throws(QuantError) -> [[Double]] in
                try onSeries(family, x, periods: p, number: number)
            }
        }
        guard bars.count > 0 else { return [[], [], []] }
        let (h, l, c, v) = (bars.high, bars.low, bars.close, bars.volume)
        switch family {
        case .atr: return [try Indicators.atr(high: h, low: l, close: c, period: p[0])]
        case .adx:
            let dm = try Indicators.directionalMovement(high: h, low: l, close: c, period: p[0])
            return [dm.adx, dm.plusDI, dm.minusDI]
        case .stochK:
            let s = try Indicators.stochastic(high: h, low: l, close: c, period: p[0], kSmoothing: p[1], dPeriod: p[2])
            return [s.k, s.d]
        case .cci: return [try Indicators.cci(high: h, low: l, close: c, period: p[0])]
        case .willr: return [try Indicators.williamsR(high: h, low: l, close: c, period: p[0])]
        case .mfi: return [try Indicators.mfi(high: h, low: l, close: c, volume: v, period: p[0])]
        case .obv: return [try Indicators.obv(close: c, volume: v)]
        case .donchianUpper:
            let d = try Indicators.donchianChannel(high: h, low: l, period: p[0])
            return [d.upper, d.middle, d.lower]
        default: preconditionFailure("\(family) takes a series argument")
        }
    }

    /// Functions of one series, on a stretch of finite values.
    private static func onSeries(_ family: Function, _ x: [Double], periods p: [Int], number: Double?) throws(QuantError) -> [[Double]] {
        switch family {
        case .sma: return [try Indicators.sma(x, period: p[0])]
        case .ema: return [try Indicators.ema(x, period: p[0])]
        case .wma: return [try Indicators.wma(x, period: p[0])]
        case .dema: return [try Indicators.dema(x, period: p[0])]
        case .tema: return [try Indicators.tema(x, period: p[0])]
        case .kama: return [try Indicators.kama(x, period: p[0])]
        case .rsi: return [try Indicators.rsi(x, period: p[0])]
        case .roc: return [try Indicators.roc(x, period: p[0])]
        case .momentum, .change: return [try Indicators.momentum(x, period: p[0])]
        case .pctChange: return [try Indicators.roc(x, period: p[0]).map { $0 / 100 }]
        case .trix: return [try Indicators.trix(x, period: p[0])]
        case .macd:
            let m = try Indicators.macd(x, fast: p[0], slow: p[1], signal: p[2])
            return [m.line, m.signal, m.histogram]
        case .bbUpper:
            let b = try Indicators.bollingerBands(x, period: p[0], deviations: number ?? 2)
            return [b.upper, b.middle, b.lower]
        case .highest:
            // The Donchian channel of a series against itself: its rolling maximum and minimum over n bars.
            let d = try Indicators.donchianChannel(high: x, low: x, period: p[0])
            return [d.upper, d.lower]
        default: preconditionFailure("\(family) takes no series argument")
        }
    }

    /// Applies `f` to each maximal stretch of finite values of `x` separately, NaN elsewhere. A stretch starts
    /// after a NaN, so every output value depends only on values up to its own bar, and an indicator over a series
    /// with a NaN warm-up (`sma(rsi(close, 14), 5)`) starts when its input does.
    static func segmented(
        _ x: [Double], _ f: ([Double]) throws(QuantError) -> [[Double]]
    ) throws(QuantError) -> [[Double]] {
        guard !x.isEmpty else { return [[], [], []] }
        if !x.contains(where: { !$0.isFinite }) { return try f(x) }
        var out: [[Double]] = []
        var start = 0
        while start < x.count {
            guard x[start].isFinite else {
                start += 1
                continue
            }
            var end = start
            while end < x.count, x[end].isFinite { end += 1 }
            let lines = try f(Array(x[start..<end]))
            if out.isEmpty { out = Array(repeating: Array(repeating: .nan, count: x.count), count: lines.count) }
            for (k, line) in lines.enumerated() {
                out[k].replaceSubrange(start..<end, with: line)
            }
            start = end
        }
        if out.isEmpty { out = Array(repeating: Array(repeating: .nan, count: x.count), count: 3) }
        return out
    }
}
