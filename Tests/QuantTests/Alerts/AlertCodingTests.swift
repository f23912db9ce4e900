import Foundation
import Quant
import Testing

@Suite("Alert coding and speed")
struct AlertCodingTests {
    static let conditions: [AlertCondition] = [
        .crossing(.value(100)), .crossingUp(.series("sma(close, 50)")), .crossingDown(.value(-1.5)), .greaterThan(.value(0)),
        .lessThan(.series("rsi(close, 14)")), .enteringChannel(lower: .value(90), upper: .series("bb_upper")),
        .exitingChannel(lower: .series("lo"), upper: .series("hi")), .insideChannel(lower: .value(1), upper: .value(2)),
        .outsideChannel(lower: .value(-1), upper: .value(1)), .movingUp(.amount(2.5), bars: 3), .movingDown(.percent(5), bars: 10),
    ]

    @Test(arguments: conditions)
    func everyConditionRoundTripsThroughJSON(_ condition: AlertCondition) throws {
        let rule = try AlertRule(
            condition, mode: .everyTime, expires: "2025-06-30", cooldownSeconds: 60, limit: TriggerLimit(count: 5, windowSeconds: 30))
        let decoded = try JSONDecoder().decode(AlertRule.self, from: JSONEncoder().encode(rule))
        #expect(decoded == rule)
    }

    @Test func conditionsAreFlatObjectsNamedByType() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func text(_ c: AlertCondition) throws -> String { String(decoding: try encoder.encode(c), as: UTF8.self) }
        #expect(try text(.crossingUp(.value(100))) == #"{"level":100,"type":"crossingUp"}"#)
        #expect(
            try text(.enteringChannel(lower: .value(90), upper: .series("bb_upper")))
                == #"{"lower":90,"type":"enteringChannel","upper":"bb_upper"}"#)
        #expect(try text(.movingUp(.percent(5), bars: 3)) == #"{"bars":3,"percent":5,"type":"movingUp"}"#)
    }

    @Test func aRuleWithOnlyAConditionTakesTheDefaults() throws {
        let json = #"{"condition": {"type": "lessThan", "level": "rsi(close, 14)"}}"#
        let rule = try JSONDecoder().decode(AlertRule.self, from: Data(json.utf8))
        #expect(rule == (try AlertRule(.lessThan(.series("rsi(close, 14)")))))
        #expect(rule.mode == .oncePerBar)
        #expect(rule.expiresAt == nil)
        #expect(rule.cooldownSeconds == 0)
        #expect(rule.limit == TriggerLimit(count: 15, windowSeconds: 180))
    }

    @Test func invalidRulesDoNotDecode() {
        for json in [
            #"{"condition": {"type": "movingUp", "amount": 2, "percent": 5, "bars": 3}}"#,
            #"{"condition": {"type": "movingUp", "amount": -2, "bars": 3}}"#,
            #"{"condition": {"type": "crossingSideways", "level": 1}}"#,
            #"{"condition": {"type": "insideChannel", "lower": 1}}"#,
            #"{"condition": {"type": "greaterThan", "level": 1}, "expires": "next week"}"#,
            #"{"condition": {"type": "greaterThan", "level": 1}, "mode": "twice"}"#,
        ] {
            #expect(throws: (any Error).self, "\(json)") { try JSONDecoder().decode(AlertRule.self, from: Data(json.utf8)) }
        }
    }

    @Test func aStateWithNaNInputsEncodesAsPlainJSONAndRoundTrips() throws {
        let rule = try AlertRule(.crossingUp(.series("sma")), mode: .everyTime)
        let (_, state) = try AlertEvaluator.evaluate(
            rule, x: [1, 3], y: [2, .nan], dates: ["2024-01-01", "2024-01-02"], state: AlertState(), now: 0)
        #expect(state.lastEvaluatedInputs == AlertBarInputs(x: 3, y: nil, yUpper: nil))
        let decoded = try JSONDecoder().decode(AlertState.self, from: JSONEncoder().encode(state))
        #expect(decoded == state)
    }

    @Test func tenThousandRulesOverOneNewBarEachTakeWellUnderTheBudget() throws {
        // 10,000 rules of every kind and mode on one symbol: 300 bars of a random walk, each rule's state at the
        // bar before the last, so every rule evaluates exactly one new bar. The service's budget is 50 ms in a
        // release build; this debug-build bound is loose.
        var rng = SplitMix64(seed: 3)
        var price = 100.0
        let x = (0..<300).map { _ in
            price *= 1 + (rng.nextUnit() - 0.5) * 0.04
            return price
        }
        let sma = (0..<300).map { t in t < 19 ? Double.nan : x[(t - 19)...t].reduce(0, +) / 20 }
        let upper = sma.map { $0 * 1.05 }
        let dates = (0..<300).map { Resampler.isoDate(daysSinceEpoch: 19_000 + $0) }
        let modes = TriggerMode.allCases
        var rules: [(AlertRule, [Double]?, [Double]?)] = []
        for k in 0..<10_000 {
            let level = 80 + Double(k % 40)
            let mode = modes[k % 3]
            switch k % 6 {
            case 0: rules.append((try AlertRule(.crossing(.value(level)), mode: mode), nil, nil))
            case 1: rules.append((try AlertRule(.crossingUp(.series("sma")), mode: mode), sma, nil))
            case 2: rules.append((try AlertRule(.greaterThan(.value(level)), mode: mode), nil, nil))
            case 3: rules.append((try AlertRule(.enteringChannel(lower: .series("sma"), upper: .series("up")), mode: mode), sma, upper))
            case 4: rules.append((try AlertRule(.movingUp(.percent(1 + Double(k % 5)), bars: 20), mode: mode), nil, nil))
            default: rules.append((try AlertRule(.outsideChannel(lower: .value(level), upper: .value(level + 10)), mode: mode), nil, nil))
            }
        }
        let states = [AlertState](repeating: AlertState(lastEvaluatedBar: dates[298]), count: rules.count)
        var fired = 0
        let clock = ContinuousClock()
        let start = clock.now
        for (k, (rule, y, yUpper)) in rules.enumerated() {
            let result = try AlertEvaluator.evaluate(rule, x: x, y: y, yUpper: yUpper, dates: dates, state: states[k], now: 1e9)
            fired += result.triggers.count
        }
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(2), "10,000 rules took \(elapsed)")
        #expect(fired > 0 && fired < 10_000)
    }
}
