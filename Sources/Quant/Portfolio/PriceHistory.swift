import Foundation

/// Closing prices per symbol; the close of a symbol on a day is its last close on or before that day, so
/// weekends and holidays carry the previous close.
///
/// Two forms: a table of closes (the fast path: the daily valuation walks each series once), or a closure
/// `(symbol, date) -> close on or before date` called for every held symbol on every valued day.
public struct PriceHistory: Sendable {
    struct Series: Sendable {
        var days: [Int] = []
        var closes: [Double] = []
        var decimals: [Decimal] = []
    }

    let table: [String: Series]
    let lookup: (@Sendable (String, LocalDate) -> Decimal?)?

    /// Closes per symbol, in any order (they are sorted; a repeated date keeps the last one given).
    public init(_ closes: [String: [(date: LocalDate, close: Decimal)]]) {
        var table: [String: Series] = [:]
        for (symbol, rows) in closes {
            var series = Series()
            let sorted = rows.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
            for (_, row) in sorted {
                if series.days.last == row.date.daysSinceEpoch {
                    series.closes[series.closes.count - 1] = NSDecimalNumber(decimal: row.close).doubleValue
                    series.decimals[series.decimals.count - 1] = row.close
                } else {
                    series.days.append(row.date.daysSinceEpoch)
                    series.closes.append(NSDecimalNumber(decimal: row.close).doubleValue)
                    series.decimals.append(row.close)
                }
            }
            table[symbol] = series
        }
        self.table = table
        lookup = nil
    }

    /// A source that asks `close(symbol, date)` for the close on or before `date`.
    public init(lookup close: @escaping @Sendable (String, LocalDate) -> Decimal?) {
        table = [:]
        lookup = close
    }

    /// No prices at all: every position is valued at its last trade price.
    public static let none = PriceHistory([:])

    /// The last close of `symbol` on or before `date`.
    public func close(_ symbol: String, on date: LocalDate) -> Decimal? {
        if let lookup { return lookup(symbol, date) }
        guard let series = table[symbol], let i = series.lastIndex(onOrBefore: date.daysSinceEpoch) else { return nil }
        return series.decimals[i]
    }
}

extension PriceHistory.Series {
    /// Index of the last day `<= day` (binary search), or `nil`.
    func lastIndex(onOrBefore day: Int) -> Int? {
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if days[mid] <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }
}

/// Walks one symbol's closes forward day by day in the daily valuation (amortised O(1) per day).
struct CloseCursor {
    let series: PriceHistory.Series?
    var next = 0

    /// The close on or before `day`, which must not decrease between calls.
    mutating func close(on day: Int) -> Double? {
        guard let series else { return nil }
        while next < series.days.count && series.days[next] <= day { next += 1 }
        return next == 0 ? nil : series.closes[next - 1]
    }
}
