import Foundation

/// Data-quality rules for a daily bar series, as pure functions (shared by whoever validates bars; the `data`
/// service's `POST /validate` uses them, and they mirror the `etl` service's rules):
///
/// - row rules (a failure makes a bar invalid): date `YYYY-MM-DD`, no date twice (the later occurrence is
///   reported), every price finite and > 0, high ≥ max(open, close), low ≤ min(open, close), low ≤ high,
///   volume finite and ≥ 0;
/// - findings (they lower the score, they do not invalidate a bar): gaps against a Monday–Friday calendar minus
///   holidays, outliers (|z| of a daily log return of the adjusted close above a threshold, sample sd, at least
///   10 returns), stale runs (consecutive bars with open, high, low and close equal to the previous bar's);
/// - score: 100 × max(0, 1 − (missing days + 2·outliers + stale bars beyond each run's first) / expected days).
public enum BarQuality {
    /// A bar that breaks a row rule: its position in the input (0-based), the field and why.
    public struct Issue: Sendable, Equatable, Codable {
        public let index: Int
        public let field: String
        public let reason: String
    }

    public struct Gap: Sendable, Equatable, Codable {
        public let from: String
        public let to: String
        public let tradingDays: Int

        public init(from: String, to: String, tradingDays: Int) {
            self.from = from
            self.to = to
            self.tradingDays = tradingDays
        }

        enum CodingKeys: String, CodingKey {
            case from, to
            case tradingDays = "trading_days"
        }
    }

    public struct Outlier: Sendable, Equatable, Codable {
        public let date: String
        public let logReturn: Double
        public let zScore: Double

        enum CodingKeys: String, CodingKey {
            case date
            case logReturn = "log_return"
            case zScore = "z_score"
        }
    }

    public struct StaleRun: Sendable, Equatable, Codable {
        public let from: String
        public let to: String
        public let bars: Int

        public init(from: String, to: String, bars: Int) {
            self.from = from
            self.to = to
            self.bars = bars
        }
    }

    public struct Report: Sendable, Equatable, Codable {
        public var bars: Int
        public var issues: [Issue]
        public var firstDate: String?
        public var lastDate: String?
        public var expectedBars: Int
        public var gaps: [Gap]
        public var missingBars: Int
        public var outliers: [Outlier]
        public var staleRuns: [StaleRun]
        public var score: Double

        enum CodingKeys: String, CodingKey {
            case bars, issues, gaps, outliers, score
            case firstDate = "first_date"
            case lastDate = "last_date"
            case expectedBars = "expected_bars"
            case missingBars = "missing_bars"
            case staleRuns = "stale_runs"
        }
    }

    /// Checks every row, then measures the valid bars (sorted by date).
    public static func report(_ bars: [DailyBar], holidays: Set<String> = [], outlierZ: Double = 6, staleRun: Int = 5) -> Report {
        let issues = rowIssues(bars)
        let invalid = Set(issues.map(\.index))
        let valid = bars.indices.filter { !invalid.contains($0) }.map { bars[$0] }.sorted { $0.date < $1.date }
        let dates = valid.map(\.date)
        let gaps = self.gaps(in: dates, holidays: holidays)
        let expected = max(valid.count, dates.first.map { tradingDays(from: $0, to: dates.last!, holidays: holidays) } ?? 0)
        let outliers = self.outliers(valid, threshold: outlierZ)
        let stale = staleRuns(valid, minimum: staleRun)
        let missing = gaps.reduce(0) { $0 + $1.tradingDays }
        return Report(bars: bars.count, issues: issues, firstDate: dates.first, lastDate: dates.last, expectedBars: expected,
                      gaps: gaps, missingBars: missing, outliers: outliers, staleRuns: stale,
                      score: score(expected: expected, missing: missing, outliers: outliers.count, stale: stale.reduce(0) { $0 + $1.bars - 1 }))
    }

    /// Every row rule broken, in input order.
    public static func rowIssues(_ bars: [DailyBar]) -> [Issue] {
        var issues: [Issue] = []
        var seen: [String: Int] = [:]
        for (i, bar) in bars.enumerated() {
            if Resampler.daysSinceEpoch(bar.date) == nil {
                issues.append(Issue(index: i, field: "date", reason: "\"\(bar.date)\" is not a date in YYYY-MM-DD form"))
            } else if let first = seen[bar.date] {
                issues.append(Issue(index: i, field: "date", reason: "duplicate date \(bar.date) (first at index \(first))"))
            } else {
                seen[bar.date] = i
            }
            var priceIssue = false
            for (field, value) in [("open", bar.open), ("high", bar.high), ("low", bar.low), ("close", bar.close), ("adj_close", bar.adjClose)]
            where !(value.isFinite && value > 0) {
                issues.append(Issue(index: i, field: field, reason: "\(value) is not a positive finite price"))
                priceIssue = true
            }
            if !bar.volume.isFinite || bar.volume < 0 {
                issues.append(Issue(index: i, field: "volume", reason: "\(bar.volume) is negative or not finite"))
                priceIssue = true
            }
            if priceIssue { continue }
            if bar.high < max(bar.open, bar.close) {
                issues.append(Issue(index: i, field: "high", reason: "high \(bar.high) is below max(open \(bar.open), close \(bar.close))"))
            }
            if bar.low > min(bar.open, bar.close) {
                issues.append(Issue(index: i, field: "low", reason: "low \(bar.low) is above min(open \(bar.open), close \(bar.close))"))
            }
            if bar.low > bar.high { issues.append(Issue(index: i, field: "low", reason: "low \(bar.low) is above high \(bar.high)")) }
        }
        return issues
    }

    /// Whether `days` since 1970-01-01 is a weekday (1970-01-01 was a Thursday) and not a holiday.
    public static func isTradingDay(_ days: Int, holidays: Set<String>) -> Bool {
        ((days + 3) % 7 + 7) % 7 < 5 && (holidays.isEmpty || !holidays.contains(Resampler.isoDate(daysSinceEpoch: days)))
    }

    /// Runs of trading days without a bar between consecutive sorted dates.
    public static func gaps(in sortedDates: [String], holidays: Set<String> = []) -> [Gap] {
        let days = sortedDates.compactMap(Resampler.daysSinceEpoch)
        var gaps: [Gap] = []
        for (previous, next) in zip(days, days.dropFirst()) where next - previous > 1 {
            let missing = ((previous + 1)..<next).filter { isTradingDay($0, holidays: holidays) }
            guard let first = missing.first, let last = missing.last else { continue }
            gaps.append(Gap(from: Resampler.isoDate(daysSinceEpoch: first), to: Resampler.isoDate(daysSinceEpoch: last), tradingDays: missing.count))
        }
        return gaps
    }

    public static func tradingDays(from first: String, to last: String, holidays: Set<String> = []) -> Int {
        guard let a = Resampler.daysSinceEpoch(first), let b = Resampler.daysSinceEpoch(last), a <= b else { return 0 }
        return (a...b).filter { isTradingDay($0, holidays: holidays) }.count
    }

    /// Log returns ln(aₜ/aₜ₋₁) of the adjusted close with |r − mean| / sd (sample sd) above `threshold`.
    public static func outliers(_ bars: [DailyBar], threshold: Double) -> [Outlier] {
        let values = bars.map(\.adjClose)
        guard values.count > 10, values.allSatisfy({ $0 > 0 }) else { return [] }
        let returns = zip(values, values.dropFirst()).map { log($1 / $0) }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let sd = (returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count - 1)).squareRoot()
        guard sd > 0 else { return [] }
        return returns.indices.compactMap { i in
            let z = (returns[i] - mean) / sd
            return abs(z) > threshold ? Outlier(date: bars[i + 1].date, logReturn: returns[i], zScore: z) : nil
        }
    }

    /// Runs of at least `minimum` bars whose open, high, low and close equal the previous bar's.
    public static func staleRuns(_ bars: [DailyBar], minimum: Int) -> [StaleRun] {
        guard minimum > 1, !bars.isEmpty else { return [] }
        var runs: [StaleRun] = []
        var start = 0
        func same(_ a: DailyBar, _ b: DailyBar) -> Bool { a.open == b.open && a.high == b.high && a.low == b.low && a.close == b.close }
        for i in 1...bars.count where i == bars.count || !same(bars[i], bars[i - 1]) {
            if i - start >= minimum { runs.append(StaleRun(from: bars[start].date, to: bars[i - 1].date, bars: i - start)) }
            start = i
        }
        return runs
    }

    /// 0–100 with one decimal; 0 for an empty series.
    public static func score(expected: Int, missing: Int, outliers: Int, stale: Int) -> Double {
        guard expected > 0 else { return 0 }
        return (max(0, 1 - Double(missing + 2 * outliers + stale) / Double(expected)) * 1000).rounded() / 10
    }
}
