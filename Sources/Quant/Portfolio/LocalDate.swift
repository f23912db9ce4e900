/// A calendar day without a time zone (proleptic Gregorian), stored as days since 1970-01-01.
///
/// Quant's series carry dates as `YYYY-MM-DD` strings (see ``Resampler/daysSinceEpoch(_:)``); the portfolio
/// engine needs day arithmetic, so it wraps the same day count. Text form and `Codable` form are `YYYY-MM-DD`.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// The day named by `YYYY-MM-DD`, or `nil` when the text is not a valid date.
    public init?(_ iso: String) {
        guard let days = Resampler.daysSinceEpoch(iso) else { return nil }
        daysSinceEpoch = days
    }

    /// The day `year-month-day`, or `nil` when there is no such day (30 February).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
            day <= LocalDate.daysIn(month: month, year: year)
        else { return nil }
        // Howard Hinnant's days_from_civil, as in `Resampler.daysSinceEpoch`.
        let yy = month <= 2 ? year - 1 : year
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        daysSinceEpoch = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    public var year: Int { Resampler.civil(fromDays: daysSinceEpoch).0 }
    public var month: Int { Resampler.civil(fromDays: daysSinceEpoch).1 }
    public var day: Int { Resampler.civil(fromDays: daysSinceEpoch).2 }

    /// ISO weekday: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    public var weekday: Int { ((daysSinceEpoch + 3) % 7 + 7) % 7 + 1 }

    public func adding(days: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same day `years` years away; 29 February becomes 28 February in a year without it.
    public func adding(years: Int) -> LocalDate {
        let (y, m, d) = Resampler.civil(fromDays: daysSinceEpoch)
        let target = y + years
        return LocalDate(year: target, month: m, day: min(d, LocalDate.daysIn(month: m, year: target)))!
    }

    /// Calendar days from `self` to `other` (positive when `other` is later).
    public func days(to other: LocalDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    public var description: String { Resampler.isoDate(daysSinceEpoch: daysSinceEpoch) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
