import Quant

/// The row rules a series must pass before any of it is published: a failure is an error, not a warning.
///
/// - prices: every price finite and > 0; high ≥ max(open, close); low ≤ min(open, close); low ≤ high;
///   volume finite and ≥ 0;
/// - economic: the value finite;
/// - both: no date twice (the second occurrence is the one reported), dates `YYYY-MM-DD`.
public enum BarRules {
    public static func check(_ bars: [LocatedBar], profile: ValidationProfile) -> [RowIssue] {
        var issues: [RowIssue] = []
        var firstLine: [String: Int] = [:]
        for located in bars {
            let bar = located.bar
            let line = located.line
            if Resampler.daysSinceEpoch(bar.date) == nil {
                issues.append(RowIssue(line: line, column: "Date", reason: "\"\(bar.date)\" is not a date in YYYY-MM-DD form"))
            } else if let first = firstLine[bar.date] {
                issues.append(RowIssue(line: line, column: "Date", reason: "duplicate date \(bar.date) (first on line \(first))"))
            } else {
                firstLine[bar.date] = line
            }
            switch profile {
            case .economic:
                if !bar.close.isFinite { issues.append(RowIssue(line: line, column: "Value", reason: "is not a finite number")) }
            case .prices:
                issues += priceIssues(bar, line: line)
            }
        }
        return issues
    }

    static func priceIssues(_ bar: DailyBar, line: Int) -> [RowIssue] {
        var issues: [RowIssue] = []
        let prices: [(String, Double)] = [("Open", bar.open), ("High", bar.high), ("Low", bar.low), ("Close", bar.close), ("Adj Close", bar.adjClose)]
        for (column, value) in prices where !(value.isFinite && value > 0) {
            issues.append(RowIssue(line: line, column: column, reason: "\(value) is not a positive finite price"))
        }
        if !bar.volume.isFinite || bar.volume < 0 {
            issues.append(RowIssue(line: line, column: "Volume", reason: "\(bar.volume) is negative or not finite"))
        }
        guard issues.isEmpty else { return issues }
        if bar.high < max(bar.open, bar.close) {
            issues.append(RowIssue(line: line, column: "High", reason: "high \(bar.high) is below max(open \(bar.open), close \(bar.close))"))
        }
        if bar.low > min(bar.open, bar.close) {
            issues.append(RowIssue(line: line, column: "Low", reason: "low \(bar.low) is above min(open \(bar.open), close \(bar.close))"))
        }
        if bar.low > bar.high {
            issues.append(RowIssue(line: line, column: "Low", reason: "low \(bar.low) is above high \(bar.high)"))
        }
        return issues
    }
}
