import Quant

/// A weekday calendar (Monday to Friday) minus configured holidays: the days a daily price series is
/// expected to have a bar.
public struct TradingCalendar: Sendable, Equatable {
    /// `YYYY-MM-DD` dates that are not trading days although they are weekdays.
    public let holidays: Set<String>

    public init(holidays: Set<String> = []) {
        self.holidays = holidays
    }

    /// Parses `etl.holidays`: dates separated by commas or white space; returns the unreadable entries too.
    public static func parse(_ text: String) -> (calendar: TradingCalendar, invalid: [String]) {
        let entries = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
        let invalid = entries.filter { Resampler.daysSinceEpoch($0) == nil }
        return (TradingCalendar(holidays: Set(entries).subtracting(invalid)), invalid)
    }

    /// Whether `days` (since 1970-01-01) is a weekday that is not a holiday.
    public func isTradingDay(_ days: Int) -> Bool {
        BarQuality.isTradingDay(days, holidays: holidays)
    }

    /// Runs of trading days without a bar between consecutive sorted dates (``BarQuality/gaps(in:holidays:)``).
    public func gaps(in sortedDates: [String]) -> [Gap] {
        BarQuality.gaps(in: sortedDates, holidays: holidays)
    }

    /// Trading days from the first to the last date, both included.
    public func tradingDays(from first: String, to last: String) -> Int {
        BarQuality.tradingDays(from: first, to: last, holidays: holidays)
    }

    /// A run of trading days without bars.
    public typealias Gap = BarQuality.Gap
}
