import Testing
@testable import Quant

/// The pure data-quality rules: row rules, gaps on a weekday calendar with holidays, outliers, stale runs, score.
@Suite struct BarQualityTests {
    func bar(_ date: String, _ close: Double) -> DailyBar {
        DailyBar(date: date, open: close, high: close + 1, low: close - 1, close: close, adjClose: close, volume: 100)
    }

    @Test func aWeekendIsNoGapButAMissingWeekdayIsUnlessItIsAHoliday() {
        #expect(BarQuality.gaps(in: ["2024-01-05", "2024-01-08"]).isEmpty)  // Friday → Monday
        #expect(BarQuality.gaps(in: ["2024-01-05", "2024-01-10"]) == [.init(from: "2024-01-08", to: "2024-01-09", tradingDays: 2)])
        #expect(BarQuality.gaps(in: ["2024-01-05", "2024-01-10"], holidays: ["2024-01-08"]) == [.init(from: "2024-01-09", to: "2024-01-09", tradingDays: 1)])
        #expect(BarQuality.tradingDays(from: "2024-01-01", to: "2024-01-31") == 23)
    }

    @Test func rowRulesNameEachBadField() {
        var bad = bar("2024-01-02", 10)
        bad.high = 9
        let issues = BarQuality.rowIssues([bar("2024-01-01", 10), bad, bar("2024-01-01", 11), bar("2024/01/03", 10)])
        #expect(issues.map(\.index) == [1, 2, 3])
        #expect(issues.map(\.field) == ["high", "date", "date"])
    }

    @Test func aJumpIsAnOutlierAndARepeatedBarIsStale() {
        var bars: [DailyBar] = []
        var day = Resampler.daysSinceEpoch("2024-01-01")!
        var price = 100.0
        for i in 0..<60 {
            while !BarQuality.isTradingDay(day, holidays: []) { day += 1 }
            price *= i == 30 ? 1.5 : (i % 2 == 0 ? 1.01 : 0.99)
            bars.append(bar(Resampler.isoDate(daysSinceEpoch: day), price))
            day += 1
        }
        #expect(BarQuality.outliers(bars, threshold: 6).map(\.date) == [bars[30].date])
        let stale = bars.prefix(10) + Array(repeating: bars[9], count: 4).enumerated().map { i, b in
            DailyBar(date: Resampler.isoDate(daysSinceEpoch: Resampler.daysSinceEpoch(b.date)! + 7 * (i + 1)), open: b.open, high: b.high,
                     low: b.low, close: b.close, adjClose: b.adjClose, volume: b.volume)
        }
        #expect(BarQuality.staleRuns(Array(stale), minimum: 5).map(\.bars) == [5])
        #expect(BarQuality.score(expected: 100, missing: 3, outliers: 1, stale: 0) == 95)
    }
}
