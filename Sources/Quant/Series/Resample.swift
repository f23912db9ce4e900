/// One daily bar, dated `YYYY-MM-DD`, with the adjusted close beside the raw prices.
public struct DailyBar: Sendable, Equatable, Codable {
    public var date: String
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var adjClose: Double
    public var volume: Double

    public init(date: String, open: Double, high: Double, low: Double, close: Double, adjClose: Double, volume: Double) {
        self.date = date
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.adjClose = adjClose
        self.volume = volume
    }
}

/// Bar intervals a series can be resampled to.
public enum BarInterval: String, Sendable, CaseIterable, Codable {
    case day = "1d"
    case week = "1w"
    case month = "1mo"
}

public enum Resampler {
    /// Groups daily bars into weeks (ISO weeks, Monday to Sunday) or calendar months: first open, highest high,
    /// lowest low, last close, last adjusted close, summed volume. Each bar is dated by the first trading day in
    /// its period (so a week that starts on a holiday Monday is dated Tuesday). `.day` returns the bars unchanged.
    ///
    /// - Throws: `QuantError` (`.parse`) for a date that is not a valid `YYYY-MM-DD`, or bars not in strictly
    ///   increasing date order.
    public static func resample(_ bars: [DailyBar], to interval: BarInterval) throws(QuantError) -> [DailyBar] {
        var previous = Int.min
        var keys: [Int] = []
        keys.reserveCapacity(bars.count)
        for (index, bar) in bars.enumerated() {
            guard let day = daysSinceEpoch(bar.date) else {
                throw QuantError(.parse, "bar \(index): \"\(bar.date)\" is not a date in YYYY-MM-DD form")
            }
            guard day > previous else {
                throw QuantError(.parse, "bar \(index): \(bar.date) is not after the previous bar's date")
            }
            previous = day
            switch interval {
            case .day: keys.append(day)
            // 1970-01-01 was a Thursday, so (days + 3) / 7 changes on Mondays.
            case .week: keys.append(floorDiv(day + 3, 7))
            case .month:
                let (y, m, _) = civil(fromDays: day)
                keys.append(y * 12 + m)
            }
        }
        if interval == .day { return bars }
        var out: [DailyBar] = []
        var start = 0
        while start < bars.count {
            var end = start
            while end + 1 < bars.count && keys[end + 1] == keys[start] { end += 1 }
            var bar = bars[start]
            for i in (start + 1)..<(end + 1) {
                bar.high = max(bar.high, bars[i].high)
                bar.low = min(bar.low, bars[i].low)
                bar.volume += bars[i].volume
            }
            bar.close = bars[end].close
            bar.adjClose = bars[end].adjClose
            out.append(bar)
            start = end + 1
        }
        return out
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Days since 1970-01-01 for a valid `YYYY-MM-DD` date (proleptic Gregorian), or `nil`.
    public static func daysSinceEpoch(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for b in bytes[range] {
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), (1...12).contains(m), d >= 1 else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= lengths[m - 1] else { return nil }
        // Howard Hinnant's days_from_civil.
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD` of a day count since 1970-01-01.
    public static func isoDate(daysSinceEpoch days: Int) -> String {
        let (y, m, d) = civil(fromDays: days)
        func pad(_ v: Int, _ width: Int) -> String {
            let text = String(v)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
