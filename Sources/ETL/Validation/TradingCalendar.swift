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
        // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
        let weekday = ((days + 3) % 7 + 7) % 7
        return weekday < 5 && !holidays.contains(Resampler.isoDate(daysSinceEpoch: days))
    }

    /// Trading days between two sorted dates that have no bar: runs of consecutive missing days, each with its
    /// first and last date and how many trading days it spans.
    public func gaps(in sortedDates: [String]) -> [Gap] {
        let days = sortedDates.compactMap(Resampler.daysSinceEpoch)
        var gaps: [Gap] = []
        for (previous, next) in zip(days, days.dropFirst()) where next - previous > 1 {
            let missing = ((previous + 1)..<next).filter(isTradingDay)
            guard let first = missing.first, let last = missing.last else { continue }
            gaps.append(Gap(from: Resampler.isoDate(daysSinceEpoch: first), to: Resampler.isoDate(daysSinceEpoch: last), tradingDays: missing.count))
        }
        return gaps
    }

    /// Trading days from the first to the last date, both included.
    public func tradingDays(from first: String, to last: String) -> Int {
        guard let a = Resampler.daysSinceEpoch(first), let b = Resampler.daysSinceEpoch(last), a <= b else { return 0 }
        return (a...b).filter(isTradingDay).count
    }

    /// A run of trading days without bars.
    public struct Gap: Sendable, Equatable, Codable {
        public let from: String
        public let to: String
        public let tradingDays: Int

        enum CodingKeys: String, CodingKey {
            case from, to
            case tradingDays = "trading_days"
        }
    }
}
