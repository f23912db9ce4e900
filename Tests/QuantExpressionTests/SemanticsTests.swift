import Quant
import Testing

@testable import QuantExpression

/// Crossings, lags, NaN, division by zero and state variables, on hand-made series whose answers are written out.
@Suite("Expression semantics")
struct SemanticsTests {
    private func crossings(_ a: [Double], _ b: [Double], _ op: String = "crosses_above") throws -> [Bool] {
        let bars = try PriceFixture.flat(Array(repeating: 1, count: a.count))
        let prepared = try prepare("a \(op) b", bars: bars, schema: ExpressionSchema(series: ["a", "b"]), series: ["a": a, "b": b])
        let column = try #require(prepared.boolColumn)
        // The per-bar path gives the same answers as the column.
        #expect(column == (0..<a.count).map { prepared.bool(at: $0) })
        return column
    }

    /// TradingView's ta.crossover: a[t] > b[t] and a[t−1] <= b[t−1]; only the bar before counts.
    @Test func crossingAboveNeedsAboveNowAndAtOrBelowOnTheBarBefore() throws {
        let b = [Double](repeating: 10, count: 6)
        // below, below, above, above, below, above
        #expect(try crossings([9, 9, 11, 12, 9, 11], b) == [false, false, true, false, false, true])
        // equal then above counts; below, equal, above crosses on the bar after the touch, not on the touch
        #expect(try crossings([9, 10, 11, 11, 11, 11], b) == [false, false, true, false, false, false])
        // above, touch, above again: crosses again (the rule looks at one bar only)
        #expect(try crossings([11, 10, 11, 11, 11, 11], b) == [false, false, true, false, false, false])
        // equal then equal is no crossing; the first bar never crosses
        #expect(try crossings([11, 10, 10, 9, 10, 10], b) == [false, false, false, false, false, false])
    }

    @Test func crossingBelowAndEitherWay() throws {
        let b = [Double](repeating: 10, count: 6)
        #expect(try crossings([11, 10, 9, 11, 9, 9], b, "crosses_below") == [false, false, true, false, true, false])
        #expect(try crossings([11, 10, 9, 11, 9, 9], b, "crosses") == [false, false, true, true, true, false])
    }

    @Test func crossingWithNaNOnEitherBarIsFalse() throws {
        let nan = Double.nan
        let b: [Double] = [10, 10, 10, 10, 10, 10]
        #expect(try crossings([nan, 11, nan, 11, 9, 11], b) == [false, false, false, false, false, true])
        #expect(try crossings([9, 11, 9, 11, 9, 11], [10, nan, 10, 10, nan, 10]) == [false, false, false, true, false, false])
    }

    @Test func goldenCrossOnRealPricesMatchesAPlainLoop() throws {
        let bars = try PriceFixture.bars(limit: 2_520)
        let fast = try Indicators.sma(bars.close, period: 50), slow = try Indicators.sma(bars.close, period: 200)
        let expected = (0..<bars.count).map { t in
            t > 0 && fast[t] > slow[t] && fast[t - 1] <= slow[t - 1]  // NaN comparisons are false
        }
        let column = try #require(prepare("sma(close, 50) crosses_above sma(close, 200)", bars: bars).boolColumn)
        #expect(column == expected)
        #expect(expected.contains(true))
    }

    @Test func nanAndDivisionByZero() throws {
        let bars = try PriceFixture.flat([1, 2, 0, 4])
        let nan = Double.nan
        expectSameColumn(try column("1 / (close - 2)", bars: bars), [-1, nan, -0.5, 0.5], "division")
        expectSameColumn(try column("close / 0 + 1", bars: bars), [nan, nan, nan, nan], "x/0")
        expectSameColumn(try column("close[1] * 2", bars: bars), [nan, 2, 4, 0], "lag")
        // Comparisons with NaN are false, even '!='; 'not' of a false comparison is true.
        #expect(try prepare("close[1] != 5", bars: bars).boolColumn == [false, true, true, true])
        #expect(try prepare("not (close[1] > 0)", bars: bars).boolColumn == [true, false, false, true])
        #expect(try prepare("close[1] == close[1]", bars: bars).boolColumn == [false, true, true, true])
        // min/max are NaN when either side is
        expectSameColumn(try column("max(close[1], 3)", bars: bars), [nan, 3, 3, 3], "max")
        // a missing host value behaves like a warm-up
        let pe = try prepare("pe < 15", bars: bars, schema: ExpressionSchema(series: ["pe"]), series: ["pe": [10, nan, 20, 14]])
        #expect(pe.boolColumn == [true, false, false, true])
    }

    @Test func lagsLookBackWholeBarsAndNeverAhead() throws {
        let bars = try PriceFixture.flat([1, 2, 3, 4, 5])
        let nan = Double.nan
        expectSameColumn(try column("close[0]", bars: bars), [1, 2, 3, 4, 5], "x[0]")
        expectSameColumn(try column("close[2]", bars: bars), [nan, nan, 1, 2, 3], "x[2]")
        expectSameColumn(try column("close[1][1]", bars: bars), [nan, nan, 1, 2, 3], "x[1][1]")
        expectSameColumn(try column("close[9]", bars: bars), [nan, nan, nan, nan, nan], "beyond the data")
        #expect(try prepare("(close > 2)[1]", bars: bars).boolColumn == [false, false, false, true, true])
    }

    @Test func zeroBarsGiveEmptyColumns() throws {
        let bars = try PriceFixture.flat([])
        #expect(try prepare("sma(close, 5) crosses_above atr(3) and obv() > highest(pe, 2)", bars: bars,
            schema: ExpressionSchema(series: ["pe"]), series: ["pe": []]).boolColumn == [])
        #expect(try column("macd_hist(close, 2, 5, 3)", bars: bars) == [])
    }

    @Test func stateVariablesAreReadPerBarInSchemaOrder() throws {
        let bars = try PriceFixture.flat([100, 95, 89, 120, 80])
        let schema = ExpressionSchema(state: ["entry_price", "bars_held"])
        let exit = try prepare("rsi(close, 2) > 70 or close < 0.9 * entry_price or bars_held >= 3", bars: bars, schema: schema)
        #expect(exit.compiled.usesState)
        #expect(exit.boolColumn == nil)
        #expect(exit.bool(at: 2, state: [100, 1]))  // 89 < 90
        #expect(!exit.bool(at: 1, state: [100, 1]))  // 95 ≥ 90, RSI undefined
        #expect(exit.bool(at: 1, state: [100, 3]))  // held long enough
        #expect(exit.bool(at: 3, state: [120, 0]))  // RSI(2) after 89 → 120 is above 70
        let rsi = try Indicators.rsi(bars.close, period: 2)
        #expect(rsi[3] > 70 && rsi[4] < 70)
        #expect(exit.bool(at: 4, state: [100, 0]))  // 80 < 90
        #expect(!exit.bool(at: 4, state: [85, 0]))
        let gain = try prepare("close / entry_price - 1", .number, bars: bars, schema: schema)
        #expect(gain.number(at: 3, state: [100, 0]) == 120.0 / 100 - 1)
        #expect(gain.numberColumn == nil)
    }

    /// A state variable keeps its current value on the bars a lag or crossing reads.
    @Test func stateInLagsAndCrossingsUsesTheCurrentValue() throws {
        let bars = try PriceFixture.flat([10, 12, 9, 8])
        let schema = ExpressionSchema(state: ["stop"])
        let cross = try prepare("close crosses_below stop", bars: bars, schema: schema)
        #expect(!cross.bool(at: 1, state: [11]))
        #expect(cross.bool(at: 2, state: [11]))  // 12 ≥ 11, then 9 < 11
        #expect(!cross.bool(at: 3, state: [11]))
        #expect(cross.bool(at: 3, state: [8.5]))
        let lagged = try prepare("(close - stop)[1]", .number, bars: bars, schema: schema)
        #expect(lagged.number(at: 2, state: [2]) == 10)
        #expect(lagged.number(at: 0, state: [2]).isNaN)
    }

    @Test func sharedSubExpressionsAreComputedOnce() throws {
        let bars = try PriceFixture.bars(limit: 2_520)
        let source = "sma(close, 50) crosses_above sma(close, 200) or (sma(close, 50) > sma(close, 200) and sma(close, 50)[1] < close)"
        let prepared = try prepare(source, bars: bars)
        // close, sma 50, sma 200, crossing, '>', lag, '<', and, or (periods are parameters, not nodes)
        #expect(prepared.compiled.nodeCount == 9)
        #expect(prepared.indicatorCalls == 2)
        let lines = try prepare("macd(close, 12, 26, 9) crosses_above macd_signal(close, 12, 26, 9) and macd_hist(close, 12, 26, 9) > 0", bars: bars)
        #expect(lines.indicatorCalls == 1)
        let bands = try prepare("close > bb_upper(close, 20, 2) or close < bb_lower(close, 20, 2) or close < bb_lower(close, 20, 3)", bars: bars)
        #expect(bands.indicatorCalls == 2)
    }

    /// O(n): preparing the golden cross over ten times the bars takes about ten times as long (allowing 40 times
    /// for a shared, noisy machine); preparing 2,520 bars and reading every bar takes well under a second.
    @Test func evaluationIsLinearInTheNumberOfBars() throws {
        let all = try PriceFixture.bars("orcl-1995-2014.csv")
        let small = try PriceFixture.prefix(all, 480), large = try PriceFixture.prefix(all, 4_800)
        let compiled = try CompiledExpression(
            Expression.parse("sma(close, 50) crosses_above sma(close, 200)"), schema: ExpressionSchema(), expecting: .boolean)
        func time(_ bars: OHLCV) throws -> Duration {
            let clock = ContinuousClock()
            var best = Duration.seconds(100)
            for _ in 0..<5 {
                let elapsed = try clock.measure {
                    let prepared = try PreparedExpression(compiled, input: ExpressionInput(bars: bars))
                    var hits = 0
                    for t in 0..<prepared.count where prepared.bool(at: t) { hits += 1 }
                    #expect(hits >= 0)
                }
                best = min(best, elapsed)
            }
            return best
        }
        let smallTime = try time(small), largeTime = try time(large)
        #expect(largeTime < smallTime * 40, "\(smallTime) for 480 bars, \(largeTime) for 4,800")
        #expect(try time(PriceFixture.prefix(all, 2_520)) < .seconds(1))
    }
}
