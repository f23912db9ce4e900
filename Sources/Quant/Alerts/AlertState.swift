/// Why an alert no longer evaluates.
public enum AlertStopReason: String, Sendable, Hashable, Codable {
    /// A `once` alert triggered.
    case triggered
    /// `now` reached the rule's expiry.
    case expired
    /// A trigger would have exceeded the rule's ``TriggerLimit``.
    case tooManyTriggers
}

/// The inputs of the last evaluated bar at that bar (`x[t]`, `y[t]`, `yUpper[t]`), kept to tell a redelivered
/// bar (the same inputs: evaluated once only) from a corrected bar of the same date (other inputs: evaluated
/// again). `nil` stands for NaN, a missing series and ±∞ alike, so the state always encodes as plain JSON.
public struct AlertBarInputs: Sendable, Hashable, Codable {
    public let x: Double?
    public let y: Double?
    public let yUpper: Double?

    public init(x: Double?, y: Double?, yUpper: Double?) {
        self.x = x.flatMap { $0.isFinite ? $0 : nil }
        self.y = y.flatMap { $0.isFinite ? $0 : nil }
        self.yUpper = yUpper.flatMap { $0.isFinite ? $0 : nil }
    }
}

/// What an alert remembers between evaluations; persisted by the host next to the rule. Start with
/// `AlertState()` (the first evaluation then looks at the last bar it is given only) or
/// `AlertState(lastEvaluatedBar:)` with the last bar stored when the alert was created (every later bar is
/// then evaluated, however many arrive in the first batch).
public struct AlertState: Sendable, Hashable, Codable {
    /// Notifications so far.
    public var triggerCount: Int
    /// Date of the bar of the last notification.
    public var lastTriggeredBar: String?
    /// `now` of the last notification (Unix seconds), for the cooldown.
    public var lastTriggerTime: Double?
    /// `now` of the notifications still inside the limit's window at the last notification.
    public var recentTriggerTimes: [Double]
    /// Why the alert stopped; `nil` while it runs.
    public var stopped: AlertStopReason?
    /// Date of the last bar evaluated; only later bars (and a corrected copy of this one) are evaluated.
    public var lastEvaluatedBar: String?
    /// Inputs at ``lastEvaluatedBar`` when it was evaluated.
    public var lastEvaluatedInputs: AlertBarInputs?

    public init(lastEvaluatedBar: String? = nil) {
        triggerCount = 0
        lastTriggeredBar = nil
        lastTriggerTime = nil
        recentTriggerTimes = []
        stopped = nil
        self.lastEvaluatedBar = lastEvaluatedBar
        lastEvaluatedInputs = nil
    }

    /// True until the alert stops (triggered once, expired, or too many triggers).
    public var isActive: Bool { stopped == nil }
}

/// One notification: the bar that triggered it and the watched value `x` on that bar.
public struct AlertTrigger: Sendable, Hashable, Codable {
    /// The bar's date, as given in `dates`.
    public let bar: String
    /// `x` at that bar.
    public let value: Double
    /// The `now` of the evaluation (Unix seconds).
    public let time: Double

    public init(bar: String, value: Double, time: Double) {
        self.bar = bar
        self.value = value
        self.time = time
    }
}
