/// An inclusive range of days `from...to`; performance over it starts from the value at the end of `from − 1`.
public struct DateRange: Sendable, Hashable, Codable {
    public var from: LocalDate
    public var to: LocalDate

    public init(from: LocalDate, to: LocalDate) {
        self.from = from
        self.to = to
    }

    /// The range a preset names, ending on `end`:
    /// `1d` the day itself; `wtd` from Monday; `mtd` from the 1st; `ytd` from 1 January; `1y`/`5y` the
    /// 365/1826-ish days after the same date 1/5 years earlier (start value at that date's close); `max` from
    /// `inception`; `YYYY` that calendar year, cut at `end`. `nil` for any other text or a year after `end`.
    public static func preset(_ name: String, end: LocalDate, inception: LocalDate) -> DateRange? {
        switch name.lowercased() {
        case "1d": return DateRange(from: end, to: end)
        case "wtd": return DateRange(from: end.adding(days: 1 - end.weekday), to: end)
        case "mtd": return DateRange(from: LocalDate(year: end.year, month: end.month, day: 1)!, to: end)
        case "ytd": return DateRange(from: LocalDate(year: end.year, month: 1, day: 1)!, to: end)
        case "1y": return DateRange(from: end.adding(years: -1).adding(days: 1), to: end)
        case "5y": return DateRange(from: end.adding(years: -5).adding(days: 1), to: end)
        case "max": return DateRange(from: min(inception, end), to: end)
        default:
            guard name.count == 4, let year = Int(name), let first = LocalDate(year: year, month: 1, day: 1), first <= end else { return nil }
            return DateRange(from: first, to: min(LocalDate(year: year, month: 12, day: 31)!, end))
        }
    }
}
