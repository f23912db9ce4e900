import Foundation
import Quant
import Testing

@Suite("Alert triggers")
struct AlertTriggerTests {
    /// Above 100 on every bar but bar 1.
    let x: [Double] = [101, 99, 102, 103, 104]
    var dates: [String] { alertDates(x.count) }
    let above100 = AlertCondition.greaterThan(.value(100))

    func run(
        _ rule: AlertRule, _ x: [Double], _ dates: [String], _ state: AlertState, now: Double = 1_000
    ) throws -> (bars: [String], state: AlertState) {
        let result = try AlertEvaluator.evaluate(rule, x: x, dates: dates, state: state, now: now)
        for trigger in result.triggers {
            #expect(trigger.time == now)
            #expect(trigger.value == x[dates.firstIndex(of: trigger.bar)!])
        }
        return (result.triggers.map(\.bar), result.state)
    }

    @Test func onceNotifiesOnceAndThenStops() throws {
        let rule = try AlertRule(above100, mode: .once)
        let first = try run(rule, x, dates, AlertState(lastEvaluatedBar: "2023-12-31"))
        #expect(first.bars == ["2024-01-01"])
        #expect(first.state.stopped == .triggered)
        #expect(!first.state.isActive)
        let next = try run(rule, x + [200], alertDates(6), first.state)
        #expect(next.bars.isEmpty)
    }

    @Test func oncePerBarNotifiesEachHoldingBarOnceEvenWhenItIsCorrected() throws {
        let rule = try AlertRule(above100, mode: .oncePerBar)
        let first = try run(rule, Array(x[0..<4]), alertDates(4), AlertState(lastEvaluatedBar: "2023-12-31"))
        #expect(first.bars == ["2024-01-01", "2024-01-03", "2024-01-04"])
        #expect(first.state.triggerCount == 3)
        // Bar 2024-01-04 replaced by a corrected bar that still holds: not again.
        let corrected = try run(rule, [101, 99, 102, 103.5], alertDates(4), first.state, now: 2_000)
        #expect(corrected.bars.isEmpty)
        // A corrected bar that holds where the first version did not notifies (once) in this mode too.
        let s = try run(rule, [101, 99], alertDates(2), AlertState(lastEvaluatedBar: "2023-12-31"))
        #expect(s.bars == ["2024-01-01"])
        #expect(try run(rule, [101, 100.5], alertDates(2), s.state).bars == ["2024-01-02"])
    }

    @Test func everyTimeNotifiesAgainForACorrectedBarOfTheSameDate() throws {
        let rule = try AlertRule(above100, mode: .everyTime)
        let first = try run(rule, Array(x[0..<4]), alertDates(4), AlertState(lastEvaluatedBar: "2023-12-31"))
        #expect(first.bars == ["2024-01-01", "2024-01-03", "2024-01-04"])
        let corrected = try run(rule, [101, 99, 102, 103.5], alertDates(4), first.state, now: 2_000)
        #expect(corrected.bars == ["2024-01-04"])
        #expect(corrected.state.triggerCount == 4)
    }

    @Test func aRedeliveredBatchNeverNotifiesTwiceInAnyMode() throws {
        for mode in TriggerMode.allCases {
            let rule = try AlertRule(above100, mode: mode)
            let first = try run(rule, x, dates, AlertState(lastEvaluatedBar: "2024-01-02"))
            #expect(first.bars == (mode == .once ? ["2024-01-03"] : ["2024-01-03", "2024-01-04", "2024-01-05"]))
            let again = try run(rule, x, dates, first.state, now: 5_000)
            #expect(again.bars.isEmpty, "\(mode)")
            #expect(again.state == first.state, "\(mode)")
            // An older batch delivered late (bars up to 2024-01-03 only) evaluates nothing either.
            let late = try run(rule, Array(x[0..<3]), alertDates(3), first.state, now: 6_000)
            #expect(late.bars.isEmpty, "\(mode)")
        }
    }

    @Test func aFreshStateLooksAtTheLastBarOnlyAndAStartingDateAtEveryLaterBar() throws {
        let rule = try AlertRule(above100, mode: .everyTime)
        #expect(try run(rule, x, dates, AlertState()).bars == ["2024-01-05"])
        #expect(try run(rule, x, dates, AlertState(lastEvaluatedBar: "2024-01-03")).bars == ["2024-01-04", "2024-01-05"])
        // A starting date and a batch that ends on it: nothing to evaluate.
        #expect(try run(rule, x, dates, AlertState(lastEvaluatedBar: "2024-01-05")).bars.isEmpty)
    }

    @Test func evaluatingBarByBarGivesTheSameNotificationsAsOneBatch() throws {
        var rng = SplitMix64(seed: 11)
        let x = (0..<31).map { _ in Double(rng.next() % 6) }
        let dates = alertDates(31)
        let conditions: [AlertCondition] = [
            .crossing(.value(2.5)), .enteringChannel(lower: .value(1), upper: .value(3)), .movingUp(.amount(2), bars: 2),
        ]
        for condition in conditions {
            let rule = try AlertRule(condition, mode: .everyTime, limit: TriggerLimit(count: 100))
            let batch = try run(rule, x, dates, AlertState(lastEvaluatedBar: "2024-01-03"))
            var state = AlertState(lastEvaluatedBar: "2024-01-03")
            var stepwise: [String] = []
            for end in 3...31 {
                let step = try run(rule, Array(x[0..<end]), Array(dates[0..<end]), state)
                stepwise += step.bars
                state = step.state
            }
            #expect(stepwise == batch.bars, "\(condition)")
            #expect(!batch.bars.isEmpty, "\(condition)")
        }
    }

    @Test func expiryIsTheEndOfTheDayInUTCOrTheGivenInstant() throws {
        let utc = ISO8601DateFormatter()
        func seconds(_ text: String) -> Double { utc.date(from: text)!.timeIntervalSince1970 }
        let byDate = try AlertRule(above100, expires: "2024-03-01")
        #expect(byDate.expiresAt == seconds("2024-03-02T00:00:00Z"))
        let byInstant = try AlertRule(above100, expires: "2024-03-01T18:00+02:00")
        #expect(byInstant.expiresAt == seconds("2024-03-01T16:00:00Z"))
        #expect(try AlertRule(above100, expires: "2024-03-01T16:00:00.25Z").expiresAt == seconds("2024-03-01T16:00:00Z") + 0.25)
        #expect(try AlertRule(above100, expires: "1999-12-31T23:59:59-05:30").expiresAt == seconds("2000-01-01T05:29:59Z"))

        let running = try run(byDate, x, dates, AlertState(), now: seconds("2024-03-01T23:59:59Z"))
        #expect(running.bars == ["2024-01-05"])
        #expect(running.state.isActive)
        let expired = try run(byDate, x + [105], alertDates(6), running.state, now: seconds("2024-03-02T00:00:00Z"))
        #expect(expired.bars.isEmpty)
        #expect(expired.state.stopped == .expired)
    }

    @Test func expiriesThatAreNotISODatesOrZonedDateTimesAreRefused() {
        let refused = [
            "2024-02-30", "2024-03-01T16:00", "2024-03-01T16:00:00", "2024-03-01 16:00Z", "2024-03-01T25:00Z", "2024-03-01T16:00:00.Z",
            "2024-03-01T16:00+0200", "tomorrow", "",
        ]
        for text in refused {
            #expect(throws: QuantError.self, "\(text)") { try AlertRule(above100, expires: text) }
        }
    }

    @Test func cooldownSuppressesNotificationsUntilItHasElapsed() throws {
        let rule = try AlertRule(above100, mode: .everyTime, cooldownSeconds: 3_600)
        // One batch: its bars share one `now`, so only the first holding bar notifies.
        let first = try run(rule, Array(x[0..<3]), alertDates(3), AlertState(lastEvaluatedBar: "2023-12-31"), now: 0)
        #expect(first.bars == ["2024-01-01"])
        let early = try run(rule, Array(x[0..<4]), alertDates(4), first.state, now: 3_599)
        #expect(early.bars.isEmpty)
        #expect(early.state.lastEvaluatedBar == "2024-01-04")  // evaluated, not postponed
        let later = try run(rule, x, dates, early.state, now: 3_600)
        #expect(later.bars == ["2024-01-05"])
    }

    @Test func theSixteenthTriggerInThreeMinutesStopsTheAlert() throws {
        let rule = try AlertRule(above100, mode: .everyTime)
        // 20 holding bars in one batch: 15 notify, the 16th stops the alert.
        let x20 = [Double](repeating: 101, count: 21), d20 = alertDates(21)
        let burst = try run(rule, x20, d20, AlertState(lastEvaluatedBar: "2024-01-01"))
        #expect(burst.bars == Array(d20[1...15]))
        #expect(burst.state.stopped == .tooManyTriggers)

        // One new bar every `gap` seconds: 12 s apart, the first trigger has left the window (now − t ≥ 180)
        // when the 16th comes; 11 s apart it has not.
        for (gap, stops) in [(12.0, false), (11.0, true)] {
            var state = AlertState(lastEvaluatedBar: "2024-01-01")
            var notified = 0
            for k in 1...20 where state.isActive {
                let step = try run(rule, Array(x20[0...k]), Array(d20[0...k]), state, now: Double(k) * gap)
                notified += step.bars.count
                state = step.state
            }
            #expect((state.stopped == .tooManyTriggers) == stops, "gap \(gap)")
            #expect(notified == (stops ? 15 : 20), "gap \(gap)")
        }
    }

    @Test func aCustomLimitAppliesItsOwnCountAndWindow() throws {
        let rule = try AlertRule(above100, mode: .everyTime, limit: TriggerLimit(count: 2, windowSeconds: 60))
        let burst = try run(rule, x, dates, AlertState(lastEvaluatedBar: "2023-12-31"))
        #expect(burst.bars == ["2024-01-01", "2024-01-03"])
        #expect(burst.state.stopped == .tooManyTriggers)
    }

    @Test func inputsThatDoNotFitTheRuleAreRefused() throws {
        let rule = try AlertRule(.crossing(.series("sma")))
        let state = AlertState()
        #expect(throws: QuantError.self) { try AlertEvaluator.evaluate(rule, x: [1, 2], dates: ["2024-01-01", "2024-01-02"], state: state, now: 0) }
        #expect(throws: QuantError.self) {
            try AlertEvaluator.evaluate(rule, x: [1, 2], y: [1], dates: ["2024-01-01", "2024-01-02"], state: state, now: 0)
        }
        let constant = try AlertRule(above100)
        #expect(throws: QuantError.self) {
            try AlertEvaluator.evaluate(constant, x: [1, 2], y: [1, 2], dates: ["2024-01-01", "2024-01-02"], state: state, now: 0)
        }
        #expect(throws: QuantError.self) { try AlertEvaluator.evaluate(constant, x: [1], dates: ["2024-01-01", "2024-01-02"], state: state, now: 0) }
        #expect(throws: QuantError.self) {
            try AlertEvaluator.evaluate(constant, x: [1, 2], dates: ["2024-01-01", "2024-01-02"], state: state, now: .nan)
        }
        let unordered = AlertState(lastEvaluatedBar: "2023-12-31")
        #expect(throws: QuantError.self) {
            try AlertEvaluator.evaluate(constant, x: [101, 102], dates: ["2024-01-02", "2024-01-01"], state: unordered, now: 0)
        }
        #expect(throws: QuantError.self) { try AlertRule(above100, cooldownSeconds: -1) }
        #expect(throws: QuantError.self) { try AlertRule(above100, limit: TriggerLimit(count: 0)) }
        #expect(throws: QuantError.self) { try AlertRule(above100, limit: TriggerLimit(count: 15, windowSeconds: 0)) }
    }
}
