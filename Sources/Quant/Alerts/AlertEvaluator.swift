/// Evaluates alert rules on stored bars: pure, one rule and one symbol's series at a time, no allocation unless
/// something triggers.
public enum AlertEvaluator {
    /// Evaluates `rule` on the bars after `state.lastEvaluatedBar` and returns the notifications and the new state.
    ///
    /// Which bars are evaluated:
    /// * every bar whose date is after `state.lastEvaluatedBar` (dates are compared as text, so they must share
    ///   one ISO format, `YYYY-MM-DD` for daily bars); a fresh ``AlertState/init(lastEvaluatedBar:)`` with `nil`
    ///   evaluates the last bar only. A redelivered batch (the same bars) therefore evaluates nothing again;
    /// * also the bar dated `state.lastEvaluatedBar` when it is the last bar given and its inputs (`x`, `y`,
    ///   `yUpper` at that bar) differ from those it was evaluated with: a corrected bar. Corrections of older
    ///   bars are history and are not evaluated. Hosts must compute indicator series reproducibly (from the same
    ///   start) so that an unchanged bar keeps bit-identical inputs.
    ///
    /// Each evaluated bar whose condition holds (see ``AlertCondition``) notifies unless, in this order:
    /// the mode forbids it (`oncePerBar` and the bar's date already notified; see ``TriggerMode``); the cooldown
    /// has not elapsed (`now − lastTriggerTime < cooldownSeconds`); or it would exceed the ``TriggerLimit``,
    /// which stops the alert. A `once` alert stops at its first notification. An alert whose expiry is reached
    /// (`now >= expiresAt`) stops before evaluating anything; a stopped alert evaluates nothing.
    ///
    /// - Parameters:
    ///   - x: the watched value (a price or an indicator), aligned with `dates`, with at least
    ///     ``AlertCondition/lookback`` bars before the first new bar.
    ///   - y: the values of ``AlertCondition/ySeries`` (a series level or a channel's lower bound), aligned with
    ///     `dates`; required exactly when the condition has that series.
    ///   - yUpper: the values of ``AlertCondition/yUpperSeries`` (a channel's upper bound); same rule.
    ///   - dates: the bars' dates, increasing.
    ///   - now: the evaluation time in Unix seconds, for expiry, cooldown and the trigger limit.
    /// - Throws: `QuantError` when a series has another length than `dates`, a series operand has no values, a
    ///   new bar's date is not after the one before it, or `now` is not finite.
    public static func evaluate(
        _ rule: AlertRule, x: [Double], y: [Double]? = nil, yUpper: [Double]? = nil, dates: [String], state: AlertState, now: Double
    ) throws(QuantError) -> (triggers: [AlertTrigger], state: AlertState) {
        let n = dates.count
        guard x.count == n else { throw .lengthMismatch("x", x.count, "dates", n) }
        try requireSeries(y, "y", rule.condition.ySeries, n)
        try requireSeries(yUpper, "yUpper", rule.condition.yUpperSeries, n)
        guard now.isFinite else { throw .invalidParameter("now", now, "must be a finite number of Unix seconds") }

        var state = state
        guard state.stopped == nil, n > 0 else { return ([], state) }
        if let expiresAt = rule.expiresAt, now >= expiresAt {
            state.stopped = .expired
            return ([], state)
        }

        let lastInputs = AlertBarInputs(x: x[n - 1], y: y?[n - 1], yUpper: yUpper?[n - 1])
        var first = n - 1
        if let seen = state.lastEvaluatedBar {
            first = n
            while first > 0, dates[first - 1] > seen {
                first -= 1
                if first + 1 < n, !(dates[first] < dates[first + 1]) {
                    throw .invalidParameter("dates[\(first + 1)]", dates[first + 1], "dates must increase")
                }
            }
            if first == n {
                let corrected = dates[n - 1] == seen && state.lastEvaluatedInputs != nil && state.lastEvaluatedInputs != lastInputs
                guard corrected else { return ([], state) }
                first = n - 1
            }
        }

        var triggers: [AlertTrigger] = []
        for t in first..<n where rule.condition.holds(at: t, x: x, y: y, yUpper: yUpper) {
            if rule.mode == .oncePerBar, state.lastTriggeredBar == dates[t] { continue }
            if let last = state.lastTriggerTime, now - last < rule.cooldownSeconds { continue }
            state.recentTriggerTimes.removeAll { now - $0 >= rule.limit.windowSeconds }
            if state.recentTriggerTimes.count >= rule.limit.count {
                state.stopped = .tooManyTriggers
                break
            }
            triggers.append(AlertTrigger(bar: dates[t], value: x[t], time: now))
            state.triggerCount += 1
            state.lastTriggeredBar = dates[t]
            state.lastTriggerTime = now
            state.recentTriggerTimes.append(now)
            if rule.mode == .once {
                state.stopped = .triggered
                break
            }
        }
        state.lastEvaluatedBar = dates[n - 1]
        state.lastEvaluatedInputs = lastInputs
        return (triggers, state)
    }

    private static func requireSeries(_ values: [Double]?, _ name: String, _ operand: String?, _ n: Int) throws(QuantError) {
        switch (values, operand) {
        case (nil, let operand?):
            throw .invalidParameter(name, "nil", "the condition reads the series \(operand)")
        case (let values?, nil):
            throw .invalidParameter(name, "\(values.count) values", "the condition has no series operand for it")
        case (let values?, _?) where values.count != n:
            throw .lengthMismatch(name, values.count, "dates", n)
        default:
            break
        }
    }
}
