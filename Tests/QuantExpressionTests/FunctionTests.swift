import Quant
import Testing

@testable import QuantExpression

/// Each function's column equals the Quant indicator it maps to, row by row (NaN warm-up included), on the first
/// 600 ORCL bars; helpers are checked against plain loops.
@Suite("Expression functions")
struct FunctionTests {
    let bars: OHLCV
    let h: [Double], l: [Double], c: [Double], v: [Double], o: [Double]

    init() throws {
        bars = try PriceFixture.bars(limit: 600)
        (h, l, c, v, o) = (bars.high, bars.low, bars.close, bars.volume, bars.open)
    }

    private func check(_ source: String, _ expected: [Double], tolerance: Double = 0) throws {
        expectSameColumn(try column(source, bars: bars), expected, tolerance: tolerance, source)
    }

    @Test func movingAveragesAndMomentumEqualQuant() throws {
        let body = zip(c, o).map { $0 - $1 }
        try check("sma(close, 50)", Indicators.sma(c, period: 50))
        try check("sma(close - open, 5)", Indicators.sma(body, period: 5))
        try check("ema(close, 20)", Indicators.ema(c, period: 20))
        try check("wma(high, 9)", Indicators.wma(h, period: 9))
        try check("dema(close, 30)", Indicators.dema(c, period: 30))
        try check("tema(close, 10)", Indicators.tema(c, period: 10))
        try check("kama(close, 10)", Indicators.kama(c, period: 10))
        try check("rsi(close, 14)", Indicators.rsi(c, period: 14))
        try check("roc(close, 10)", Indicators.roc(c, period: 10))
        try check("momentum(close, 10)", Indicators.momentum(c, period: 10))
        try check("trix(close, 15)", Indicators.trix(c, period: 15))
    }

    @Test func multiLineIndicatorsEqualQuant() throws {
        let m = try Indicators.macd(c, fast: 12, slow: 26, signal: 9)
        try check("macd(close, 12, 26, 9)", m.line)
        try check("macd_signal(close, 12, 26, 9)", m.signal)
        try check("macd_hist(close, 12, 26, 9)", m.histogram)
        let b = try Indicators.bollingerBands(c, period: 20, deviations: 2.5)
        try check("bb_upper(close, 20, 2.5)", b.upper)
        try check("bb_middle(close, 20, 2.5)", b.middle)
        try check("bb_lower(close, 20, 2.5)", b.lower)
        let dm = try Indicators.directionalMovement(high: h, low: l, close: c, period: 14)
        try check("adx(14)", dm.adx)
        try check("plus_di(14)", dm.plusDI)
        try check("minus_di(14)", dm.minusDI)
        let s = try Indicators.stochastic(high: h, low: l, close: c, period: 14, kSmoothing: 3, dPeriod: 3)
        try check("stoch_k(14, 3, 3)", s.k)
        try check("stoch_d(14, 3, 3)", s.d)
        let d = try Indicators.donchianChannel(high: h, low: l, period: 20)
        try check("donchian_upper(20)", d.upper)
        try check("donchian_middle(20)", d.middle)
        try check("donchian_lower(20)", d.lower)
    }

    @Test func barIndicatorsEqualQuant() throws {
        let atr = try Indicators.atr(high: h, low: l, close: c, period: 14)
        try check("atr(14)", atr)
        // TA-Lib NATR: (ATR / close) · 100.
        try check("natr(14)", zip(atr, c).map { 100 * ($0 / $1) })
        try check("cci(20)", Indicators.cci(high: h, low: l, close: c, period: 20))
        try check("willr(14)", Indicators.williamsR(high: h, low: l, close: c, period: 14))
        try check("mfi(14)", Indicators.mfi(high: h, low: l, close: c, volume: v, period: 14))
        try check("obv()", Indicators.obv(close: c, volume: v))
    }

    @Test func helpersEqualPlainLoops() throws {
        let n = c.count
        func loop(_ f: (Int) -> Double) -> [Double] { (0..<n).map(f) }
        try check("highest(high, 10)", loop { i in i < 9 ? .nan : h[(i - 9)...i].max()! })
        try check("lowest(low, 10)", loop { i in i < 9 ? .nan : l[(i - 9)...i].min()! })
        try check("change(close, 5)", loop { i in i < 5 ? .nan : c[i] - c[i - 5] })
        try check("pct_change(close, 5)", loop { i in i < 5 ? .nan : c[i] / c[i - 5] - 1 }, tolerance: 1e-12)
        try check("abs(close - open)", loop { i in abs(c[i] - o[i]) })
        try check("min(open, close)", loop { i in Swift.min(o[i], c[i]) })
        try check("max(open, close)", loop { i in Swift.max(o[i], c[i]) })
        try check("close[3]", loop { i in i < 3 ? .nan : c[i - 3] })
        try check("(close - open)[2] / 2", loop { i in i < 2 ? .nan : (c[i - 2] - o[i - 2]) / 2 })
        try check("-close + 2 * open", loop { i in -c[i] + 2 * o[i] })
        let between = try #require(prepare("between(close, open, high)", bars: bars).boolColumn)
        #expect(between == (0..<n).map { o[$0] <= c[$0] && c[$0] <= h[$0] })
    }

    /// An indicator of an indicator starts when its input is defined: sma(rsi(close, 14), 5) is Quant's SMA of the
    /// RSI from bar 14 on, so its first value is at bar 14 + 4.
    @Test func indicatorsOfIndicatorsStartWhereTheirInputIsDefined() throws {
        let rsi = try Indicators.rsi(c, period: 14)
        let tail = try Indicators.sma(Array(rsi[14...]), period: 5)
        try check("sma(rsi(close, 14), 5)", Array(repeating: .nan, count: 14) + tail)
        let compiled = try CompiledExpression(Expression.parse("sma(rsi(close, 14), 5)"), schema: ExpressionSchema(), expecting: .number)
        #expect(compiled.maximumLookback == 18)
    }

    @Test func warmUpsAddUpToTheLookbackAfterWhichValuesAreDefined() throws {
        let cases: [(String, Int)] = [
            ("sma(close, 200)", 199), ("sma(close, 50) crosses_above sma(close, 200)", 200), ("ema(close, 20)", 19),
            ("rsi(close, 14)", 14), ("dema(close, 30)", 58), ("tema(close, 10)", 27), ("trix(close, 15)", 43),
            ("macd_hist(close, 12, 26, 9)", 33), ("adx(14)", 27), ("plus_di(14)", 14), ("stoch_d(14, 3, 3)", 17),
            ("atr(14)", 14), ("obv()", 0), ("close[5] > 1", 5), ("sma(close, 10)[3]", 12), ("kama(close, 10)", 10),
            ("ema(sma(close, 10), 5)", 13), ("mfi(14)", 14), ("cci(20)", 19), ("between(close, 1, highest(high, 5))", 4),
        ]
        for (source, lookback) in cases {
            let type: ExpressionType = source.contains(">") || source.contains("cross") || source.contains("between") ? .boolean : .number
            let compiled = try CompiledExpression(Expression.parse(source), schema: ExpressionSchema(), expecting: type)
            #expect(compiled.maximumLookback == lookback, "\(source)")
            if type == .number {
                let values = try #require(PreparedExpression(compiled, input: ExpressionInput(bars: bars)).numberColumn)
                #expect(values[lookback].isFinite, "\(source) at its lookback")
                #expect(lookback == 0 || values[lookback - 1].isNaN, "\(source) before its lookback")
            }
        }
    }

    @Test func indicatorNamesListEachIndicatorOnce() throws {
        let compiled = try CompiledExpression(
            Expression.parse("sma(close, 50) > sma(close, 200) and rsi(close, 14) < 30 and abs(close) > max(open, 1)"),
            schema: ExpressionSchema(), expecting: .boolean)
        #expect(compiled.indicatorNames == ["rsi", "sma"])
        #expect(!compiled.usesState)
    }
}
