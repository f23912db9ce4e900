/// How often an alert whose condition holds notifies, after TradingView's alert frequencies
/// (https://www.tradingview.com/support/solutions/43000474415-differences-between-alert-frequencies/).
///
/// Bars here are stored bars, so a bar is evaluated when it is stored and again only when it is replaced by a
/// corrected bar of the same date (see ``AlertEvaluator``):
/// * `once`: the first trigger notifies and the alert stops (``AlertStopReason/triggered``).
/// * `oncePerBar`: at most one trigger per bar date, even if a corrected bar of that date is evaluated again.
/// * `everyTime`: every evaluation that holds notifies, so a corrected bar of an already notified date may
///   notify again (for daily bars there is no other difference from `oncePerBar`).
public enum TriggerMode: String, Sendable, Hashable, Codable, CaseIterable {
    case once, oncePerBar, everyTime
}

/// The too-many-triggers stop: a trigger that would be the `count + 1`-th within `windowSeconds` (the
/// triggers `t` with `now − t < windowSeconds`) is not notified and stops the alert
/// (``AlertStopReason/tooManyTriggers``). The default, 15 in 180 s, is TradingView's "no more than 15 triggers
/// in 3 minutes" (https://www.tradingview.com/support/solutions/43000690939-alert-was-triggered-too-often-and-stopped/).
public struct TriggerLimit: Sendable, Hashable, Codable {
    public let count: Int
    public let windowSeconds: Double

    public init(count: Int = 15, windowSeconds: Double = 180) {
        self.count = count
        self.windowSeconds = windowSeconds
    }

    public static let tradingView = TriggerLimit()
}

/// An alert: a condition, how often it notifies, until when, and the brakes on notifying.
///
/// JSON: `{"condition": {…}, "mode": "oncePerBar", "expires": "2025-06-30", "cooldownSeconds": 0,
/// "limit": {"count": 15, "windowSeconds": 180}}`; every key but `condition` may be left out (the defaults
/// below). Decoding validates like the initialiser.
public struct AlertRule: Sendable, Hashable, Codable {
    public let condition: AlertCondition
    /// Default `oncePerBar`.
    public let mode: TriggerMode
    /// When the alert stops evaluating, as written: an ISO 8601 date-time with a zone
    /// (`2025-06-30T16:00:00Z`, `2025-06-30T18:00+02:00`, fractions of a second allowed) or a date
    /// (`2025-06-30`), which means the end of that day in UTC (the alert still runs on that date). `nil`: never.
    public let expires: String?
    /// `expires` as Unix seconds; the alert is expired once `now >= expiresAt`.
    public let expiresAt: Double?
    /// Minimum seconds between two notifications (by the `now` of each evaluation); 0, the default, for none.
    /// With a cooldown above 0, a batch of several bars notifies at most once, since its bars share one `now`.
    public let cooldownSeconds: Double
    /// The too-many-triggers stop; default TradingView's 15 in 3 minutes.
    public let limit: TriggerLimit

    /// - Throws: `QuantError` for an invalid condition (see ``AlertCondition/validate()``), an `expires` that
    ///   is not one of the forms above, a negative or non-finite cooldown, a limit count below 1 or a limit
    ///   window that is not positive and finite.
    public init(
        _ condition: AlertCondition, mode: TriggerMode = .oncePerBar, expires: String? = nil, cooldownSeconds: Double = 0,
        limit: TriggerLimit = .tradingView
    ) throws(QuantError) {
        try condition.validate()
        guard cooldownSeconds.isFinite, cooldownSeconds >= 0 else {
            throw .invalidParameter("cooldownSeconds", cooldownSeconds, "must be finite and at least 0")
        }
        guard limit.count >= 1 else { throw .invalidParameter("limit.count", limit.count, "must be at least 1") }
        guard limit.windowSeconds.isFinite, limit.windowSeconds > 0 else {
            throw .invalidParameter("limit.windowSeconds", limit.windowSeconds, "must be positive and finite")
        }
        if let expires {
            guard let at = AlertRule.unixSeconds(iso: expires) else {
                throw .invalidParameter("expires", expires, "must be an ISO 8601 date (YYYY-MM-DD) or date-time with a zone")
            }
            expiresAt = at
        } else {
            expiresAt = nil
        }
        self.condition = condition
        self.mode = mode
        self.expires = expires
        self.cooldownSeconds = cooldownSeconds
        self.limit = limit
    }

    enum CodingKeys: String, CodingKey {
        case condition, mode, expires, cooldownSeconds, limit
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                try c.decode(AlertCondition.self, forKey: .condition),
                mode: try c.decodeIfPresent(TriggerMode.self, forKey: .mode) ?? .oncePerBar,
                expires: try c.decodeIfPresent(String.self, forKey: .expires),
                cooldownSeconds: try c.decodeIfPresent(Double.self, forKey: .cooldownSeconds) ?? 0,
                limit: try c.decodeIfPresent(TriggerLimit.self, forKey: .limit) ?? .tradingView)
        } catch let error as QuantError {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(condition, forKey: .condition)
        try c.encode(mode, forKey: .mode)
        try c.encodeIfPresent(expires, forKey: .expires)
        try c.encode(cooldownSeconds, forKey: .cooldownSeconds)
        try c.encode(limit, forKey: .limit)
    }
}
