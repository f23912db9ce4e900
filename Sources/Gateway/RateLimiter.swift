import Foundation
import Synchronization

/// Rate limiting with the generic cell rate algorithm (GCRA): `limit` requests per `period`, with bursts of up
/// to `limit`. Each key stores one instant — its theoretical arrival time — so the state is 16 bytes a key and
/// the decision is O(1). Time is passed in, so tests drive it exactly.
public final class RateLimiter: Sendable {
    public struct Quota: Sendable, Equatable, CustomStringConvertible {
        public let limit: Int
        public let period: Duration
        /// Time between requests at the sustained rate (divided once, not on every check).
        let interval: Duration

        public init(limit: Int, period: Duration) {
            precondition(limit > 0 && period > .zero, "a quota needs a positive limit and period")
            self.limit = limit
            self.period = period
            self.interval = period / limit
        }

        public static func == (a: Quota, b: Quota) -> Bool {
            a.limit == b.limit && a.period == b.period
        }

        public var description: String { "\(limit)/\(Int(period.inSeconds))s" }
    }

    /// The outcome of one request, with what the `RateLimit-*` headers say.
    public struct Decision: Sendable, Equatable {
        public let allowed: Bool
        public let limit: Int
        public let remaining: Int
        /// Seconds until the full quota is available again.
        public let resetSeconds: Int
        /// Seconds to wait before a retry can succeed (0 when allowed).
        public let retryAfterSeconds: Int
    }

    private let state = Mutex<[String: ContinuousClock.Instant]>([:])
    private let maxKeys: Int
    private let rejections = Mutex(0)

    /// - Parameter maxKeys: past this many tracked keys, idle ones (whose quota is full again) are dropped.
    public init(maxKeys: Int = 100_000) {
        self.maxKeys = maxKeys
    }

    public func check(_ key: String, quota: Quota, now: ContinuousClock.Instant = .now) -> Decision {
        let interval = quota.interval
        let decision: Decision = state.withLock { table in
            // One look-up of the key: its slot is read and, when allowed, written through the same index.
            let slot = table.index(forKey: key)
            let tat = max(slot.map { table.values[$0] } ?? now, now)
            let newTAT = tat + interval
            let allowAt = newTAT - quota.period
            if now < allowAt {
                let retry = allowAt - now
                return Decision(allowed: false, limit: quota.limit, remaining: 0,
                                resetSeconds: Self.ceilSeconds(tat - now), retryAfterSeconds: max(1, Self.ceilSeconds(retry)))
            }
            if let slot {
                table.values[slot] = newTAT
            } else {
                table[key] = newTAT
            }
            if table.count > maxKeys { table = table.filter { $0.value > now } }
            let used = newTAT - now
            // Whole requests left in the burst, in integer nanoseconds so that 9.999… does not round down to 9.
            let remaining = Int((quota.period - used).nanoseconds / max(1, interval.nanoseconds))
            return Decision(allowed: true, limit: quota.limit, remaining: max(0, remaining),
                            resetSeconds: Self.ceilSeconds(used), retryAfterSeconds: 0)
        }
        if !decision.allowed { rejections.withLock { $0 += 1 } }
        return decision
    }

    public var trackedKeys: Int { state.withLock { $0.count } }
    public var rejected: Int { rejections.withLock { $0 } }

    static func ceilSeconds(_ d: Duration) -> Int {
        Int(d.inSeconds.rounded(.up))
    }
}

extension Duration {
    /// Whole nanoseconds (truncated).
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}

import ServiceKit

/// Which quota applies to a request: by role (the caller's most privileged role, `anonymous` without a
/// credential) and route class (``routeClass(method:path:)``).
public struct RateLimitPolicy: Sendable, Equatable {
    /// By `role:class` selector (either part may be `*`).
    public var quotas: [String: RateLimiter.Quota] {
        didSet { byRole = Self.index(quotas) }
    }
    /// The same quotas by role, then class: looked up on every request without building selector strings.
    private var byRole: [String: [String: RateLimiter.Quota]]

    public init(quotas: [String: RateLimiter.Quota]) {
        self.quotas = quotas
        self.byRole = Self.index(quotas)
    }

    private static func index(_ quotas: [String: RateLimiter.Quota]) -> [String: [String: RateLimiter.Quota]] {
        var byRole: [String: [String: RateLimiter.Quota]] = [:]
        for (selector, quota) in quotas {
            let parts = selector.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            byRole[String(parts[0]), default: [:]][String(parts[1])] = quota
        }
        return byRole
    }

    /// Parses `anonymous:read=600/min,anonymous:write=120/min,*:*=1200/min`; units `s`, `min`, `h`.
    public static func parse(_ text: String) throws(ConfigurationError) -> RateLimitPolicy {
        var quotas: [String: RateLimiter.Quota] = [:]
        func fail(_ reason: String) -> ConfigurationError {
            ConfigurationError(key: "gateway.rate_limits", value: text, source: .commandLine, reason: reason)
        }
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].contains(":") else { throw fail("\"\(item)\" is not role:class=N/unit") }
            let rate = parts[1].split(separator: "/").map(String.init)
            guard rate.count == 2, let n = Int(rate[0]), n > 0 else { throw fail("\"\(parts[1])\" is not N/unit with N > 0") }
            let period: Duration
            switch rate[1] {
            case "s", "sec", "second": period = .seconds(1)
            case "min", "m", "minute": period = .seconds(60)
            case "h", "hour": period = .seconds(3600)
            default: throw fail("unit \"\(rate[1])\" is not s, min or h")
            }
            let selector = parts[0].split(separator: ":").map(String.init)
            guard selector.count == 2, ["read", "write", "auth", "*"].contains(selector[1]) else {
                throw fail("\"\(parts[0])\": the class must be read, write, auth or *")
            }
            quotas[parts[0]] = .init(limit: n, period: period)
        }
        return RateLimitPolicy(quotas: quotas)
    }

    /// `auth` for the password and token endpoints (login, register, refresh: what guessers hammer), `read` for
    /// GET/HEAD/OPTIONS, `write` for the rest.
    public static func routeClass(method: String, path: String) -> String {
        switch method {
        case "GET", "HEAD", "OPTIONS":
            return "read"
        case "POST":
            switch path {
            case "/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/refresh": return "auth"
            default: return "write"
            }
        default:
            return "write"
        }
    }

    /// The most specific quota for `role` and `routeClass`; `nil` means unlimited.
    public func quota(role: String, routeClass: String) -> RateLimiter.Quota? {
        if let forRole = byRole[role], let quota = forRole[routeClass] ?? forRole["*"] { return quota }
        if let forAnyRole = byRole["*"] { return forAnyRole[routeClass] ?? forAnyRole["*"] }
        return nil
    }
}
