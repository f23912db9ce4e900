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
    // One implementation of the rules for every service: Quant's `BarQuality`.
    public typealias Outlier = BarQuality.Outlier
    public typealias StaleRun = BarQuality.StaleRun

    public var bars: Int
    public var firstDate: String?
    public var lastDate: String?
    /// Trading days the calendar expects from the first to the last date (prices only; otherwise = bars).
    public var expectedBars: Int
    public var gaps: [BarQuality.Gap]
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
        BarQuality.score(expected: expected, missing: missing, outliers: outliers, stale: stale)
    }

    /// Measures sorted, rule-abiding bars. Returns use the adjusted close, so splits and dividends are not outliers.
    public static func measure(_ bars: [DailyBar], profile: ValidationProfile, settings: QualitySettings) -> QualityReport {
        let dates = bars.map(\.date)
        var gaps: [BarQuality.Gap] = []
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

    /// Log returns of the adjusted close whose |z| exceeds `threshold` (``BarQuality/outliers(_:threshold:)``).
    static func outliers(_ bars: [DailyBar], threshold: Double) -> [Outlier] {
        BarQuality.outliers(bars, threshold: threshold)
    }

    /// Runs of at least `minimum` unchanged bars (``BarQuality/staleRuns(_:minimum:)``).
    static func staleRuns(_ bars: [DailyBar], minimum: Int) -> [StaleRun] {
        BarQuality.staleRuns(bars, minimum: minimum)
    }
}
