import Quant
import Testing

/// Dates 2024-01-01, 2024-01-02, … (at most 31 bars).
func alertDates(_ n: Int) -> [String] {
    precondition(n <= 31)
    return (0..<n).map { "2024-01-\($0 + 1 < 10 ? "0" : "")\($0 + 1)" }
}

/// Indices of the bars where `condition` notifies when every bar is evaluated in one batch (every time, no
/// cooldown, no limit that could stop it).
func firingBars(_ condition: AlertCondition, x: [Double], y: [Double]? = nil, yUpper: [Double]? = nil) throws -> [Int] {
    let rule = try AlertRule(condition, mode: .everyTime, limit: TriggerLimit(count: 1000))
    let dates = alertDates(x.count)
    let result = try AlertEvaluator.evaluate(
        rule, x: x, y: y, yUpper: yUpper, dates: dates, state: AlertState(lastEvaluatedBar: "2023-12-31"), now: 0)
    return result.triggers.map { trigger in dates.firstIndex(of: trigger.bar)! }
}

@Suite("Alert conditions")
struct AlertConditionTests {
    // Hand-checked: x against the level 2. Bar 2 is "equal then above", bar 4 touches 2 from above (no cross),
    // bar 5 leaves the touch upwards (a cross up, as Pine's ta.crossover: x > y and x[1] <= y[1]).
    let x: [Double] = [1, 2, 3, 3, 2, 2.5, 1, 3]

    @Test func crossingUpCountsEqualThenAbove() throws {
        #expect(try firingBars(.crossingUp(.value(2)), x: x) == [2, 5, 7])
    }

    @Test func crossingDownNeedsStrictlyBelowAfterAtOrAbove() throws {
        #expect(try firingBars(.crossingDown(.value(2)), x: x) == [6])
        #expect(try firingBars(.crossingDown(.value(2)), x: [3, 2, 1, 2, 1]) == [2, 4])
    }

    @Test func crossingIsEitherDirection() throws {
        #expect(try firingBars(.crossing(.value(2)), x: x) == [2, 5, 6, 7])
    }

    @Test func crossingASeriesReadsBothSidesOnBothBarsAndIgnoresItsWarmUp() throws {
        // y is a slow average still warming up on bars 0-1; x is above it from bar 2 on, but bar 2's previous
        // y is NaN, so the first cross is at bar 4 (x[3] = y[3], x[4] > y[4]).
        let y: [Double] = [.nan, .nan, 1, 2, 2, 3, 4]
        let x: [Double] = [0, 0, 2, 2, 3, 2, 5]
        #expect(try firingBars(.crossingUp(.series("sma")), x: x, y: y) == [4, 6])
        #expect(try firingBars(.crossingDown(.series("sma")), x: x, y: y) == [5])
    }

    @Test func greaterAndLessThanAreStrictAndFalseOnNaN() throws {
        let x: [Double] = [1, 2, 3, .nan, 2, 0]
        #expect(try firingBars(.greaterThan(.value(2)), x: x) == [2])
        #expect(try firingBars(.lessThan(.value(2)), x: x) == [0, 5])
        #expect(try firingBars(.greaterThan(.series("y")), x: x, y: [0, 2, .nan, 1, 1, -1]) == [0, 4, 5])
    }

    // Hand-checked: the channel [2, 4]; the edges are inside. Bar 7 jumps from above to below (outside to
    // outside: neither entering nor exiting); bar 8 is NaN (neither inside nor outside), so bar 9 enters nothing.
    let channelX: [Double] = [1, 2, 3, 4, 5, 4, 6, 1, .nan, 3]

    @Test func insideAndOutsideHoldOnEveryBarAndEdgesAreInside() throws {
        #expect(try firingBars(.insideChannel(lower: .value(2), upper: .value(4)), x: channelX) == [1, 2, 3, 5, 9])
        #expect(try firingBars(.outsideChannel(lower: .value(2), upper: .value(4)), x: channelX) == [0, 4, 6, 7])
    }

    @Test func enteringAndExitingNeedTheOtherSideOnTheBarBefore() throws {
        #expect(try firingBars(.enteringChannel(lower: .value(2), upper: .value(4)), x: channelX) == [1, 5])
        #expect(try firingBars(.exitingChannel(lower: .value(2), upper: .value(4)), x: channelX) == [4, 6])
    }

    @Test func touchingAnEdgeFromOutsideEntersAndLeavingTheEdgeOutwardsExits() throws {
        // 5 → 4 (upper edge) enters; 4 → 4.0001 exits; 1 → 2 (lower edge) enters; 2 → 1.9999 exits.
        let x: [Double] = [5, 4, 4.0001, 1, 2, 1.9999]
        #expect(try firingBars(.enteringChannel(lower: .value(2), upper: .value(4)), x: x) == [1, 4])
        #expect(try firingBars(.exitingChannel(lower: .value(2), upper: .value(4)), x: x) == [2, 5])
    }

    @Test func boundsInTheWrongOrderMakeTheSameChannel() throws {
        let makers: [(AlertOperand, AlertOperand) -> AlertCondition] = [
            AlertCondition.insideChannel, AlertCondition.outsideChannel, AlertCondition.enteringChannel, AlertCondition.exitingChannel,
        ]
        for make in makers {
            #expect(try firingBars(make(.value(4), .value(2)), x: channelX) == firingBars(make(.value(2), .value(4)), x: channelX))
        }
    }

    @Test func seriesBoundsMoveTheChannelBarByBar() throws {
        // A band around a moving centre; the upper band is still warming up on bar 0.
        let lower: [Double] = [9, 10, 11, 12, 13]
        let upper: [Double] = [.nan, 12, 13, 14, 15]
        let x: [Double] = [10, 13, 13, 11, 16]
        #expect(try firingBars(.insideChannel(lower: .series("lo"), upper: .series("hi")), x: x, y: lower, yUpper: upper) == [2])
        #expect(try firingBars(.outsideChannel(lower: .series("lo"), upper: .series("hi")), x: x, y: lower, yUpper: upper) == [1, 3, 4])
        #expect(try firingBars(.enteringChannel(lower: .series("lo"), upper: .series("hi")), x: x, y: lower, yUpper: upper) == [2])
        #expect(try firingBars(.exitingChannel(lower: .series("lo"), upper: .series("hi")), x: x, y: lower, yUpper: upper) == [3])
        // A constant lower bound with a series upper bound: the series goes to yUpper.
        #expect(try firingBars(.insideChannel(lower: .value(10), upper: .series("hi")), x: x, yUpper: upper) == [2, 3])
    }

    // Hand-checked: windows of the 3 bars before t. Bar 4: min(11, 9, 10) = 9, 11.5 − 9 = 2.5. Bar 7:
    // min(11.5, 12, 8) = 8, 10 − 8 = 2 (exactly the amount: counts). Bar 6: max(10, 11.5, 12) − 8 = 4.
    let moveX: [Double] = [10, 11, 9, 10, 11.5, 12, 8, 10]

    @Test func movingUpByAnAmountComparesWithTheLowestOfTheLastBars() throws {
        #expect(try firingBars(.movingUp(.amount(2), bars: 3), x: moveX) == [4, 5, 7])
        #expect(try firingBars(.movingUp(.amount(2), bars: 1), x: moveX) == [7])
    }

    @Test func movingDownByAnAmountComparesWithTheHighestOfTheLastBars() throws {
        #expect(try firingBars(.movingDown(.amount(2), bars: 3), x: moveX) == [6, 7])
        #expect(try firingBars(.movingDown(.amount(2), bars: 1), x: moveX) == [2, 6])
    }

    @Test func movingByAPercentageCountsAnExactWholePercentage() throws {
        // 104 → 105 is under 5 %; 100 → 105 is exactly 5 % of 100; 105 → 110.25 exactly 5 % of 105.
        let x: [Double] = [100, 104, 105, 110.25]
        #expect(try firingBars(.movingUp(.percent(5), bars: 1), x: x) == [3])
        #expect(try firingBars(.movingUp(.percent(5), bars: 2), x: x) == [2, 3])
        // Down: 100 → 80 is 20 %; 80 → 72 exactly 10 % of 80; 72 → 66 under 10 % of 72.
        #expect(try firingBars(.movingDown(.percent(10), bars: 1), x: [100, 80, 72, 66]) == [1, 2])
    }

    @Test func movingNeedsAFullWindowWithoutNaNAndAPositiveReferenceForPercentages() throws {
        #expect(try firingBars(.movingUp(.amount(1), bars: 2), x: [.nan, 1, 5, 9]) == [3])
        #expect(try firingBars(.movingUp(.amount(1), bars: 2), x: [1, 5, .nan, 9, 10]) == [])
        #expect(try firingBars(.movingUp(.percent(5), bars: 1), x: [-10, 0, 5]) == [])  // reference ≤ 0: no percentage
        #expect(try firingBars(.movingUp(.amount(5), bars: 1), x: [-10, 0, 5]) == [1, 2])
    }

    @Test func everyConditionMatchesAPlainLoopOnRandomSeriesWithTiesAndNaN() throws {
        // Few distinct values so that ties (equal then above, edges) are frequent; about one value in ten NaN.
        var rng = SplitMix64(seed: 7)
        func draw() -> Double { rng.next() % 10 == 0 ? .nan : Double(rng.next() % 5) }
        for _ in 0..<100 {
            let n = 2 + Int(rng.next() % 29)
            let x = (0..<n).map { _ in draw() }, y = (0..<n).map { _ in draw() }, z = (0..<n).map { _ in draw() }
            func ok(_ v: Double...) -> Bool { v.allSatisfy { !$0.isNaN } }
            func plain(_ rule: (Int) -> Bool) -> [Int] { (0..<n).filter(rule) }
            func inside(_ t: Int) -> Bool { ok(x[t], y[t], z[t]) && min(y[t], z[t]) <= x[t] && x[t] <= max(y[t], z[t]) }
            func outside(_ t: Int) -> Bool { ok(x[t], y[t], z[t]) && !inside(t) }
            let up = plain { t in t > 0 && x[t] > y[t] && x[t - 1] <= y[t - 1] }
            let down = plain { t in t > 0 && x[t] < y[t] && x[t - 1] >= y[t - 1] }
            #expect(try firingBars(.crossingUp(.series("y")), x: x, y: y) == up)
            #expect(try firingBars(.crossingDown(.series("y")), x: x, y: y) == down)
            #expect(try firingBars(.crossing(.series("y")), x: x, y: y) == Set(up + down).sorted())
            #expect(try firingBars(.greaterThan(.series("y")), x: x, y: y) == plain { x[$0] > y[$0] })
            #expect(try firingBars(.lessThan(.series("y")), x: x, y: y) == plain { x[$0] < y[$0] })
            let lo = AlertOperand.series("y"), hi = AlertOperand.series("z")
            #expect(try firingBars(.insideChannel(lower: lo, upper: hi), x: x, y: y, yUpper: z) == plain(inside))
            #expect(try firingBars(.outsideChannel(lower: lo, upper: hi), x: x, y: y, yUpper: z) == plain(outside))
            let entering = plain { $0 > 0 && outside($0 - 1) && inside($0) }, exiting = plain { $0 > 0 && inside($0 - 1) && outside($0) }
            #expect(try firingBars(.enteringChannel(lower: lo, upper: hi), x: x, y: y, yUpper: z) == entering)
            #expect(try firingBars(.exitingChannel(lower: lo, upper: hi), x: x, y: y, yUpper: z) == exiting)
            let bars = 1 + Int(rng.next() % 3)
            func window(_ t: Int) -> [Double]? {
                let w = Array(x[max(0, t - bars)..<t])
                return t >= bars && ok(x[t]) && w.allSatisfy({ !$0.isNaN }) ? w : nil
            }
            #expect(try firingBars(.movingUp(.amount(2), bars: bars), x: x) == plain { t in window(t).map { x[t] - $0.min()! >= 2 } ?? false })
            #expect(try firingBars(.movingDown(.amount(2), bars: bars), x: x) == plain { t in window(t).map { $0.max()! - x[t] >= 2 } ?? false })
            #expect(try firingBars(.movingUp(.percent(50), bars: bars), x: x) == plain { t in
                window(t).map { $0.min()! > 0 && x[t] >= 1.5 * $0.min()! } ?? false })
        }
    }

    @Test func invalidConditionsAreRefused() {
        #expect(throws: QuantError.self) { try AlertRule(.greaterThan(.value(.nan))) }
        #expect(throws: QuantError.self) { try AlertRule(.crossing(.series(""))) }
        #expect(throws: QuantError.self) { try AlertRule(.insideChannel(lower: .value(1), upper: .value(.infinity))) }
        #expect(throws: QuantError.self) { try AlertRule(.movingUp(.amount(0), bars: 3)) }
        #expect(throws: QuantError.self) { try AlertRule(.movingDown(.percent(-5), bars: 3)) }
        #expect(throws: QuantError.self) { try AlertRule(.movingUp(.amount(1), bars: 0)) }
    }

    @Test func lookbackIsWhatTheConditionReadsBeforeTheBar() {
        #expect(AlertCondition.crossing(.value(1)).lookback == 1)
        #expect(AlertCondition.exitingChannel(lower: .value(1), upper: .value(2)).lookback == 1)
        #expect(AlertCondition.greaterThan(.value(1)).lookback == 0)
        #expect(AlertCondition.insideChannel(lower: .value(1), upper: .value(2)).lookback == 0)
        #expect(AlertCondition.movingDown(.percent(3), bars: 5).lookback == 5)
    }
}
