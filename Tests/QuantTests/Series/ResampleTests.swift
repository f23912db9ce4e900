import Foundation
import Testing
@testable import Quant

@Suite struct ResampleTests {
    static let prices = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/prices")

    static func bars(_ file: String) throws -> [DailyBar] {
        let text = try String(contentsOf: prices.appendingPathComponent(file), encoding: .utf8)
        let table = try PriceTable.parse(text, source: file)
        let (o, h, l, c, a, v) = try (table.column("Open"), table.column("High"), table.column("Low"), table.column("Close"),
                                      table.column("Adj Close"), table.column("Volume"))
        let bars = table.dates.indices.map { i in
            DailyBar(date: table.dates[i], open: o[i], high: h[i], low: l[i], close: c[i], adjClose: a[i], volume: v[i])
        }
        return bars.sorted { $0.date < $1.date }
    }

    /// An independent grouping: Foundation's ISO 8601 calendar (week-of-year and its year) or Gregorian month.
    static func reference(_ bars: [DailyBar], _ interval: BarInterval) -> [DailyBar] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        var groups: [[DailyBar]] = []
        var lastKey: [Int] = []
        for bar in bars {
            let date = formatter.date(from: bar.date)!
            let key = interval == .week
                ? [calendar.component(.yearForWeekOfYear, from: date), calendar.component(.weekOfYear, from: date)]
                : [calendar.component(.year, from: date), calendar.component(.month, from: date)]
            if key == lastKey { groups[groups.count - 1].append(bar) } else { groups.append([bar]); lastKey = key }
        }
        return groups.map { g in
            DailyBar(date: g[0].date, open: g[0].open, high: g.map(\.high).max()!, low: g.map(\.low).min()!,
                     close: g.last!.close, adjClose: g.last!.adjClose, volume: g.map(\.volume).reduce(0, +))
        }
    }

    @Test(arguments: ["orcl-1995-2014.csv", "yhoo-1996-2014.csv", "nvda-1999-2014.csv"], [BarInterval.week, .month])
    func resamplingMatchesAnIndependentCalendarGroupingOnEveryBar(file: String, interval: BarInterval) throws {
        let daily = try Self.bars(file)
        let resampled = try Resampler.resample(daily, to: interval)
        let expected = Self.reference(daily, interval)
        #expect(resampled.count == expected.count)
        for (got, want) in zip(resampled, expected) {
            #expect(got == want)
        }
        #expect(resampled.map(\.volume).reduce(0, +) == daily.map(\.volume).reduce(0, +))
    }

    @Test func dailyIsUnchangedAndAYearEndWeekSpansTwoCalendarYears() throws {
        let bars = ["2014-12-29", "2014-12-30", "2014-12-31", "2015-01-02", "2015-01-05"].enumerated().map { i, d in
            DailyBar(date: d, open: Double(10 + i), high: Double(20 + i), low: Double(5 - i), close: Double(11 + i),
                     adjClose: Double(11 + i), volume: 100)
        }
        #expect(try Resampler.resample(bars, to: .day) == bars)
        let weeks = try Resampler.resample(bars, to: .week)
        #expect(weeks.map(\.date) == ["2014-12-29", "2015-01-05"])
        #expect(weeks[0] == DailyBar(date: "2014-12-29", open: 10, high: 23, low: 2, close: 14, adjClose: 14, volume: 400))
        let months = try Resampler.resample(bars, to: .month)
        #expect(months.map(\.date) == ["2014-12-29", "2015-01-02"])
        #expect(months[1].volume == 200)
    }

    @Test func badOrUnorderedDatesAreRefused() {
        let bar = DailyBar(date: "2020-01-02", open: 1, high: 1, low: 1, close: 1, adjClose: 1, volume: 1)
        var bad = bar
        bad.date = "2020-02-30"
        #expect(throws: QuantError.self) { try Resampler.resample([bad], to: .week) }
        #expect(throws: QuantError.self) { try Resampler.resample([bar, bar], to: .week) }
        #expect(Resampler.daysSinceEpoch("1970-01-01") == 0)
        #expect(Resampler.daysSinceEpoch("2000-03-01") == 11017)
        #expect(Resampler.daysSinceEpoch("1969-12-31") == -1)
        #expect(Resampler.daysSinceEpoch("20x0-01-01") == nil)
        for day in stride(from: -719_162, through: 2_932_896, by: 997) {  // 0001-01-01 … 9999-12-31
            #expect(Resampler.daysSinceEpoch(Resampler.isoDate(daysSinceEpoch: day)) == day)
        }
    }
}
