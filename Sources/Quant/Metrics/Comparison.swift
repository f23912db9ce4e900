/// Helpers for comparing several instruments side by side: percentile ranks of a metric across them and
/// price series rebased to a common start. (The correlation matrix of their returns is
/// ``Metrics/correlationMatrix(_:)``.)
public enum Comparison {
    /// Percentile rank of each value among the others: `(b + e / 2) / (n − 1)`, where `n` counts the usable
    /// values, `b` the other values strictly below and `e` the other values equal. The lowest value ranks 0, the
    /// highest 1, ties share the mean of their ranks.
    ///
    /// This is pandas' `rank(method="average")` rescaled from [1, n] to [0, 1], i.e. `(rank − 1) / (n − 1)`
    /// (pandas' `rank(pct=True)` would be `rank / n`, which never reaches 0). `nil` and non-finite values are
    /// ignored and rank `nil`; with a single usable value there are no others and its rank is `nil` too.
    public static func percentileRanks(_ values: [Double?]) -> [Double?] {
        let sorted = values.compactMap { $0 }.filter(\.isFinite).sorted()
        guard sorted.count >= 2 else { return values.map { _ in nil } }
        let others = Double(sorted.count - 1)
        return values.map { value in
            guard let value, value.isFinite else { return nil }
            let below = firstIndex(in: sorted) { $0 >= value }
            let notAbove = firstIndex(in: sorted) { $0 > value }
            let equalOthers = notAbove - below - 1
            return (Double(below) + Double(equalOthers) / 2) / others
        }
    }

    /// Price series rebased to 100 at their first common date: each series is restricted to the dates every
    /// series holds (an inner join on the exact date text, in the order of the first series, as
    /// ``Metrics/alignByDate(dates:prices:benchmarkDates:benchmarkPrices:)`` does) and scaled by
    /// `100 / value at the first common date`.
    ///
    /// - Throws: `QuantError` when no series is given, a series' dates and values differ in length, a date repeats
    ///   within a series, a value is not finite, the series share no date, or a value at the first common date is
    ///   not positive.
    public static func rebased(
        _ series: [(name: String, dates: [String], values: [Double])]
    ) throws(QuantError) -> (dates: [String], series: [(name: String, values: [Double])]) {
        guard let first = series.first else { throw .empty("series") }
        var indexes: [[String: Int]] = []
        for s in series {
            guard s.values.count == s.dates.count else {
                throw .lengthMismatch("\(s.name) values", s.values.count, "\(s.name) dates", s.dates.count)
            }
            try QuantError.requireFinite(s.values, s.name)
            var index: [String: Int] = [:]
            index.reserveCapacity(s.dates.count)
            for (i, date) in s.dates.enumerated() where index.updateValue(i, forKey: date) != nil {
                throw .invalidParameter("\(s.name) date", date, "appears more than once")
            }
            indexes.append(index)
        }
        var rows: [[Int]] = []
        var dates: [String] = []
        for date in first.dates {
            let row = indexes.compactMap { $0[date] }
            if row.count == series.count {
                dates.append(date)
                rows.append(row)
            }
        }
        guard let base = rows.first else { throw QuantError(.empty, "the series have no date in common") }
        var result: [(name: String, values: [Double])] = []
        for (k, s) in series.enumerated() {
            let start = s.values[base[k]]
            guard start > 0 else { throw .invalidParameter("\(s.name) on \(dates[0])", start, "must be positive to rebase") }
            result.append((s.name, rows.map { 100 * s.values[$0[k]] / start }))
        }
        return (dates, result)
    }

    /// The first index of ascending `sorted` where `predicate` holds (it must hold from some index on), by bisection.
    private static func firstIndex(in sorted: [Double], where predicate: (Double) -> Bool) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if predicate(sorted[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
