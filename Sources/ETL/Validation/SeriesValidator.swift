import Quant

/// A series that passed every row rule, sorted by date, with its quality measured.
public struct ValidatedSeries: Sendable, Equatable {
    public let symbol: String
    public let bars: [DailyBar]
    public let instrument: InstrumentInfo?
    public let quality: QualityReport
}

/// Parse issues + row rules → either a clean, transformed, measured series or every bad row.
public enum SeriesValidator {
    public enum Outcome: Sendable, Equatable {
        case valid(ValidatedSeries)
        case invalid([RowIssue])
    }

    /// Validates `parsed`; `splits` (from the job's options) are applied after the row rules pass.
    public static func validate(_ parsed: ParsedSeries, profile: ValidationProfile, settings: QualitySettings,
                                splits: [Split] = []) -> Outcome {
        var issues = parsed.issues + BarRules.check(parsed.bars, profile: profile)
        if parsed.bars.isEmpty && issues.isEmpty {
            issues.append(RowIssue(line: 1, column: "row", reason: "the payload holds no bars"))
        }
        guard issues.isEmpty else { return .invalid(issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) }) }
        var bars = parsed.bars.map(\.bar).sorted { $0.date < $1.date }
        if !splits.isEmpty { bars = SplitAdjustment.apply(splits, to: bars, adjustAdjClose: !parsed.hasAdjustedClose) }
        let quality = QualityReport.measure(bars, profile: profile, settings: settings)
        return .valid(ValidatedSeries(symbol: parsed.symbol, bars: bars, instrument: parsed.instrument, quality: quality))
    }
}

/// Back-adjusts prices for splits: every bar dated before a split's date has its prices divided and its volume
/// multiplied by the split ratio (ratios of several splits multiply), so the series is continuous across splits.
public enum SplitAdjustment {
    public static func apply(_ splits: [Split], to bars: [DailyBar], adjustAdjClose: Bool) -> [DailyBar] {
        let valid = splits.filter { $0.ratio.isFinite && $0.ratio > 0 }
        return bars.map { bar in
            let factor = valid.filter { bar.date < $0.date }.reduce(1.0) { $0 * $1.ratio }
            guard factor != 1 else { return bar }
            var adjusted = bar
            adjusted.open /= factor
            adjusted.high /= factor
            adjusted.low /= factor
            adjusted.close /= factor
            if adjustAdjClose { adjusted.adjClose /= factor }
            adjusted.volume *= factor
            return adjusted
        }
    }

    /// Parses `2020-08-31:4,2014-06-09:7` (date:ratio pairs) or returns the reason it cannot.
    public static func parse(_ text: String) -> Result<[Split], RowIssue> {
        var splits: [Split] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, Resampler.daysSinceEpoch(String(parts[0])) != nil, let ratio = Double(parts[1]), ratio.isFinite, ratio > 0 else {
                return .failure(RowIssue(line: 0, column: "splits", reason: "\"\(entry)\" is not DATE:RATIO (e.g. 2020-08-31:4)"))
            }
            splits.append(Split(date: String(parts[0]), ratio: ratio))
        }
        return .success(splits)
    }
}
