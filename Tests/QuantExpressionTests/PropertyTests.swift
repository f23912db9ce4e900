import Quant
import Testing

@testable import QuantExpression

/// Properties over random expressions on real bars (ORCL, the first 300) with a host series that has gaps.
@Suite("Expression properties")
struct PropertyTests {
    let bars: OHLCV
    let pe: [Double]
    let schema = ExpressionSchema(series: ["pe"], state: ["entry_price"])

    init() throws {
        bars = try PriceFixture.bars(limit: 300)
        var random = SplitMix64(seed: 5)
        pe = (0..<300).map { _ in random.nextUnit() < 0.05 ? .nan : 5 + 30 * random.nextUnit() }
    }

    /// Causality: the value at t computed from bars 0...t alone equals the value at t computed from all bars, for
    /// random expressions (state variables included) and random t. Conditions must agree exactly; numbers to 1e-12
    /// relative, because Quant advances its EMA and Wilder recurrences four bars per step, so the last bars of a
    /// shorter series go through the one-bar tail loop and can differ in the last bit or two.
    @Test func valuesDependOnlyOnBarsUpToTheirOwn() throws {
        var generator = ExpressionGenerator(random: SplitMix64(seed: 17), stateNames: ["entry_price"], seriesNames: ["pe"])
        var random = SplitMix64(seed: 23)
        let full = ExpressionInput(bars: bars, series: ["pe": pe])
        var checked = 0
        for round in 0..<300 {
            let isCondition = round % 2 == 0
            let source = isCondition ? generator.condition(depth: 4, stateful: true) : generator.number(depth: 4, stateful: true)
            let compiled = try CompiledExpression(Expression.parse(source), schema: schema, expecting: isCondition ? .boolean : .number)
            let whole = try PreparedExpression(compiled, input: full)
            for _ in 0..<4 {
                let t = Int.random(in: 0..<bars.count, using: &random)
                let cut = ExpressionInput(bars: try PriceFixture.prefix(bars, t + 1), series: ["pe": Array(pe[...t])])
                let part = try PreparedExpression(compiled, input: cut)
                let state = [bars.close[max(0, t - 3)]]
                if isCondition {
                    #expect(part.bool(at: t, state: state) == whole.bool(at: t, state: state), "\(source) at \(t)")
                } else {
                    let a = part.number(at: t, state: state), b = whole.number(at: t, state: state)
                    let same = a == b || (a.isNaN && b.isNaN) || abs(a - b) <= 1e-12 * max(1, abs(b))
                    #expect(same, "\(source) at \(t): \(a) from bars 0...\(t), \(b) from all")
                }
                checked += 1
            }
        }
        #expect(checked == 1_200)
    }

    /// maximumLookback is exact for inputs without gaps: a number expression without division is NaN before it
    /// (for at least one of its warm-up chains) and defined on every bar from it on.
    @Test func valuesAreDefinedFromTheLookbackOn() throws {
        var generator = ExpressionGenerator(random: SplitMix64(seed: 31))
        var withWarmUp = 0
        for _ in 0..<400 {
            let source = generator.number(depth: 4, division: false)
            let compiled = try CompiledExpression(Expression.parse(source), schema: ExpressionSchema(), expecting: .number)
            let values = try #require(PreparedExpression(compiled, input: ExpressionInput(bars: bars)).numberColumn)
            let lookback = compiled.maximumLookback
            guard lookback < values.count else { continue }
            #expect(values[lookback...].allSatisfy { $0.isFinite }, "\(source): NaN after its lookback \(lookback)")
            if lookback > 0 {
                withWarmUp += 1
                #expect(values[lookback - 1].isNaN, "\(source): defined before its lookback \(lookback)")
            }
        }
        #expect(withWarmUp > 100)
    }

    /// The column and the per-bar path agree on every bar.
    @Test func columnsEqualPerBarEvaluation() throws {
        var generator = ExpressionGenerator(random: SplitMix64(seed: 41), seriesNames: ["pe"])
        let input = ExpressionInput(bars: bars, series: ["pe": pe])
        for round in 0..<100 {
            let isCondition = round % 2 == 0
            let source = isCondition ? generator.condition(depth: 4) : generator.number(depth: 4)
            let compiled = try CompiledExpression(Expression.parse(source), schema: ExpressionSchema(series: ["pe"]), expecting: isCondition ? .boolean : .number)
            let prepared = try PreparedExpression(compiled, input: input)
            if isCondition {
                let column = try #require(prepared.boolColumn)
                #expect(column == (0..<bars.count).map { prepared.bool(at: $0) }, "\(source)")
            } else {
                let column = try #require(prepared.numberColumn)
                expectSameColumn((0..<bars.count).map { prepared.number(at: $0) }, column, source)
            }
        }
    }
}
