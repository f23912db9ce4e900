/// Daily bars of several symbols on one calendar: the union of their dates, ascending (ISO `yyyy-MM-dd`).
///
/// Columns are stored flat, symbol-major (`column[symbol * dateCount + t]`), so one symbol's history is one
/// contiguous run that indicator functions and the engine read without copying rows.
/// A symbol without a bar on a date (before its first bar, a holiday of its own, after its last) has
/// `hasBar == false` there: nothing of that symbol fills that day and positions in it are marked at its last
/// close. On such dates `open`, `high`, `low` and `close` hold that last close (NaN before the first bar) and
/// `volume` holds 0.
public struct MarketBars: Sendable {
    public let dates: [String]
    public let symbols: [String]
    /// Number of dates (bars of the calendar).
    public let dateCount: Int
    public let open: [Double]
    public let high: [Double]
    public let low: [Double]
    public let close: [Double]
    public let volume: [Double]
    /// `hasBar[symbol * dateCount + t]`: the symbol traded on `dates[t]`.
    public let hasBar: [Bool]
    /// Index of each symbol's first bar on the calendar.
    public let firstBar: [Int]
    /// Days since 1970-01-01 of each date, for durations in calendar days.
    let days: [Int]
    /// Opens and closes date-major (`[t * symbolCount + symbol]`): the engine values every position twice a bar
    /// and reads one contiguous row instead of one cache line per symbol.
    let openByDate: [Double]
    let closeByDate: [Double]

    /// Aligns several symbols on the union of their dates.
    ///
    /// - Throws: `QuantError.empty` without symbols or bars, `.invalidParameter` for a duplicate or empty symbol,
    ///   a date that is not ISO `yyyy-MM-dd`, dates that are not strictly ascending within a symbol, or a price
    ///   that is not positive; `.nonFinite` is already excluded by `OHLCV`.
    public init(_ series: [(symbol: String, bars: OHLCV)]) throws(QuantError) {
        guard !series.isEmpty else { throw .empty("series") }
        var seen = Set<String>()
        var allDates = Set<String>()
        for (symbol, bars) in series {
            guard !symbol.isEmpty, seen.insert(symbol).inserted else {
                throw .invalidParameter("symbol", "\"\(symbol)\"", "symbols must be unique and non-empty")
            }
            guard bars.count > 0 else { throw .empty("bars of \(symbol)") }
            for i in 0..<bars.count {
                if i > 0, !(bars.dates[i - 1] < bars.dates[i]) {
                    throw .invalidParameter("\(symbol) dates[\(i)]", bars.dates[i], "dates must be strictly ascending")
                }
                guard bars.open[i] > 0, bars.high[i] > 0, bars.low[i] > 0, bars.close[i] > 0 else {
                    throw .invalidParameter("\(symbol) prices[\(i)]", bars.dates[i], "prices must be positive")
                }
                allDates.insert(bars.dates[i])
            }
        }
        let dates = allDates.sorted()
        var days = [Int]()
        days.reserveCapacity(dates.count)
        for date in dates {
            guard date.utf8.count == 10, let local = LocalDate(date) else {
                throw .invalidParameter("date", date, "must be an ISO date yyyy-MM-dd")
            }
            days.append(local.daysSinceEpoch)
        }
        let n = dates.count, total = n * series.count
        var index = [String: Int](minimumCapacity: n)
        for (t, date) in dates.enumerated() { index[date] = t }
        var open = [Double](repeating: .nan, count: total), high = open, low = open, close = open
        var volume = [Double](repeating: 0, count: total)
        var hasBar = [Bool](repeating: false, count: total)
        var firstBar = [Int]()
        for (s, entry) in series.enumerated() {
            let bars = entry.bars, base = s * n
            var last = Double.nan
            var i = 0
            for t in 0..<n {
                let k = base + t
                if i < bars.count, index[bars.dates[i]] == t {
                    if i == 0 { firstBar.append(t) }
                    open[k] = bars.open[i]
                    high[k] = bars.high[i]
                    low[k] = bars.low[i]
                    close[k] = bars.close[i]
                    volume[k] = bars.volume[i]
                    hasBar[k] = true
                    last = bars.close[i]
                    i += 1
                } else {
                    open[k] = last
                    high[k] = last
                    low[k] = last
                    close[k] = last
                }
            }
        }
        self.dates = dates
        self.symbols = series.map(\.symbol)
        self.dateCount = n
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.hasBar = hasBar
        self.firstBar = firstBar
        self.days = days
        let symbolCount = series.count
        var openByDate = [Double](repeating: .nan, count: total), closeByDate = openByDate
        for s in 0..<symbolCount {
            for t in 0..<n {
                openByDate[t * symbolCount + s] = open[s * n + t]
                closeByDate[t * symbolCount + s] = close[s * n + t]
            }
        }
        self.openByDate = openByDate
        self.closeByDate = closeByDate
    }

    /// Index of `symbol` in `symbols`, `nil` if absent.
    public func index(of symbol: String) -> Int? { symbols.firstIndex(of: symbol) }

    /// One symbol's closes from its first bar to the end of the calendar (forward-filled over missing days),
    /// the input for indicator functions; pair an output `v` with calendar bar `firstBar[symbol] + i`.
    public func closes(of symbol: Int) -> ArraySlice<Double> {
        let base = symbol * dateCount
        return close[(base + firstBar[symbol])..<(base + dateCount)]
    }

    /// Runs an indicator over one symbol's column from its first bar and returns it on the whole calendar
    /// (NaN before the first bar), so that value `t` depends on bars `≤ t` whenever the indicator is causal.
    public func column(
        _ symbol: Int, of source: KeyPath<MarketBars, [Double]> = \.close,
        _ indicator: ([Double]) throws(QuantError) -> [Double]
    ) throws(QuantError) -> [Double] {
        let base = symbol * dateCount, first = firstBar[symbol]
        let values = try indicator(Array(self[keyPath: source][(base + first)..<(base + dateCount)]))
        guard values.count == dateCount - first else {
            throw .lengthMismatch("indicator output", values.count, "bars of \(symbols[symbol])", dateCount - first)
        }
        return [Double](repeating: .nan, count: first) + values
    }
}
