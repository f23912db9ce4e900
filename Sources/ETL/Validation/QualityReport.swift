import Foundation
import Quant

/// Thresholds of the quality checks (from the `etl.*` configuration keys).
public struct QualitySettings: Sendable, Equatable {
    /// A daily log return whose z-score exceeds this in absolute value is an outlier.
    public var outlierZ: Double = 6
    /// This many consecutive bars with the same close (and OHLC equal) form a stale run.
    public var staleRun: Int = 5
    public var calendar = TradingCalendar()

    public init(outlierZ: Double = 6, staleRun: Int = 5, calendar: TradingCalendar = TradingCalendar()) {
        self.outlierZ = outlierZ
        self.staleRun = staleRun
        self.calendar = calendar
    }
}

/// Findings that do not stop a series from being published but lower its quality score.
public struct QualityReport: Sendable, Equatable, Codable {
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
    }

    public var bars: Int
    public var firstDate: String?
    public var lastDate: String?
    /// Trading days the calendar expects from the first to the last date (prices only; otherwise = bars).
    public var expectedBars: Int
    public var gaps: [TradingCalendar.Gap]
    public var missingBars: Int
    public var outliers: [Outlier]
    public var staleRuns: [StaleRun]
    /// 100 × max(0, 1 − (missing + 2·outliers + stale) / expected); see ``score(expected:missing:outliers:stale:)``.
    public var score: Double

    enum CodingKeys: String, CodingKey {
        case bars, gaps, outliers, score
        case firstDate = "first_date"
        case lastDate = "last_date"
        case expectedBars = "expected_bars"
        case missingBars = "missing_bars"
        case staleRuns = "stale_runs"
    }

    /// The quality score, 0–100 with one decimal: every missing trading day and every stale bar (beyond the first
    /// of its run) costs one expected bar, every outlier two (it also distorts two returns).
    public static func score(expected: Int, missing: Int, outliers: Int, stale: Int) -> Double {
        guard expected > 0 else { return 0 }
        let penalty = Double(missing + 2 * outliers + stale) / Double(expected)
        return (max(0, 1 - penalty) * 1000).rounded() / 10
    }

    /// Measures sorted, rule-abiding bars. Returns use the adjusted close, so splits and dividends are not outliers.
    public static func measure(_ bars: [DailyBar], profile: ValidationProfile, settings: QualitySettings) -> QualityReport {
        let dates = bars.map(\.date)
        var gaps: [TradingCalendar.Gap] = []
        var expected = bars.count
        var stale: [StaleRun] = []
        if profile == .prices, let first = dates.first, let last = dates.last {
            gaps = settings.calendar.gaps(in: dates)
            expected = max(bars.count, settings.calendar.tradingDays(from: first, to: last))
            stale = staleRuns(bars, minimum: settings.staleRun)
        }
        let found = outliers(bars, threshold: settings.outlierZ)
        let missing = gaps.reduce(0) { $0 + $1.tradingDays }
        let staleBars = stale.reduce(0) { $0 + $1.bars - 1 }
        return QualityReport(bars: bars.count, firstDate: dates.first, lastDate: dates.last, expectedBars: expected, gaps: gaps,
                             missingBars: missing, outliers: found, staleRuns: stale,
                             score: score(expected: expected, missing: missing, outliers: found.count, stale: staleBars))
    }

    /// Log returns ln(aₜ/aₜ₋₁) of the adjusted close whose |z| = |r − mean| / sd (sample sd) exceeds `threshold`.
    /// Needs at least 10 returns; fewer say nothing about a distribution.
    static func outliers(_ bars: [DailyBar], threshold: Double) -> [Outlier] {
        let values = bars.map { $0.adjClose }
        guard values.count > 10, values.allSatisfy({ $0 > 0 }) else { return [] }
        let returns = zip(values, values.dropFirst()).map { log($1 / $0) }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count - 1)
        let sd = variance.squareRoot()
        guard sd > 0 else { return [] }
        return returns.indices.compactMap { i in
            let z = (returns[i] - mean) / sd
            return abs(z) > threshold ? Outlier(date: bars[i + 1].date, logReturn: returns[i], zScore: z) : nil
        }
    }

    /// Runs of at least `minimum` consecutive bars whose open, high, low and close are all equal to the previous bar's.
    static func staleRuns(_ bars: [DailyBar], minimum: Int) -> [StaleRun] {
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
}
