import Foundation
import Quant
import Testing
@testable import ETL

/// The row rules, the calendar, the quality measures and the transformations, without a server.
@Suite struct ValidationTests {
    static func bar(_ date: String, _ o: Double, _ h: Double, _ l: Double, _ c: Double, volume: Double = 100) -> DailyBar {
        DailyBar(date: date, open: o, high: h, low: l, close: c, adjClose: c, volume: volume)
    }

    static func located(_ bars: [DailyBar]) -> [LocatedBar] {
        bars.enumerated().map { LocatedBar(line: $0.offset + 2, bar: $0.element) }
    }

    @Test func aConsistentBarPassesEveryRowRule() {
        #expect(BarRules.check(Self.located([Self.bar("2024-01-02", 10, 11, 9, 10.5)]), profile: .prices).isEmpty)
    }

    @Test func highBelowOpenOrCloseIsAnOHLCError() {
        let issues = BarRules.check(Self.located([Self.bar("2024-01-02", 10, 10.2, 9, 10.5)]), profile: .prices)
        #expect(issues.map(\.column) == ["High"])
        #expect(issues.first?.line == 2)
    }

    @Test func lowAboveOpenOrCloseIsAnOHLCError() {
        #expect(BarRules.check(Self.located([Self.bar("2024-01-02", 10, 11, 10.1, 10.5)]), profile: .prices).map(\.column) == ["Low"])
    }

    @Test func lowAboveHighIsReportedEvenWhenOpenAndCloseLieBetween() {
        let issues = BarRules.check(Self.located([Self.bar("2024-01-02", 10, 9, 11, 10)]), profile: .prices)
        #expect(issues.contains { $0.column == "Low" && $0.reason.contains("above high") })
    }

    @Test func negativeVolumeAndNonPositivePricesAreErrors() {
        #expect(BarRules.check(Self.located([Self.bar("2024-01-02", 10, 11, 9, 10, volume: -1)]), profile: .prices).map(\.column) == ["Volume"])
        #expect(BarRules.check(Self.located([Self.bar("2024-01-02", 0, 11, 9, 10)]), profile: .prices).map(\.column) == ["Open"])
        #expect(BarRules.check(Self.located([Self.bar("2024-01-02", 10, 11, 9, 10, volume: 0)]), profile: .prices).isEmpty)
    }

    @Test func aDuplicateDateNamesTheLineOfItsFirstOccurrence() {
        let issues = BarRules.check(Self.located([Self.bar("2024-01-02", 10, 11, 9, 10), Self.bar("2024-01-02", 10, 11, 9, 10)]), profile: .prices)
        #expect(issues == [RowIssue(line: 3, column: "Date", reason: "duplicate date 2024-01-02 (first on line 2)")])
    }

    @Test func economicSeriesAreNotHeldToOHLCRules() {
        let negative = DailyBar(date: "2024-01-02", open: -0.5, high: -0.5, low: -0.5, close: -0.5, adjClose: -0.5, volume: 0)
        #expect(BarRules.check(Self.located([negative]), profile: .economic).isEmpty)
    }

    @Test func csvParserNamesLineAndColumnOfEveryBadCell() throws {
        let parsed = CSVBarParser.parse(try Fixture.data("csv/bad_rows.csv"), symbol: "BAD")
        guard case .invalid(let issues) = SeriesValidator.validate(parsed, profile: .prices, settings: QualitySettings()) else {
            Issue.record("a file with bad rows validated")
            return
        }
        try #require(issues.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
        #expect(issues.map(\.column) == ["High", "Low", "Volume", "Date", "High", "Date", "row"])
        #expect(issues[4].reason == "\"abc\" is not a number")
        #expect(issues[6].reason == "has 4 fields, the header has 7")
    }

    @Test func csvParserRefusesAFileWithoutTheRequiredColumns() {
        let parsed = CSVBarParser.parse(Data("Date,Close\n2024-01-02,10\n".utf8), symbol: "X")
        #expect(parsed.issues.count == 1 && parsed.issues[0].line == 1 && parsed.issues[0].reason.contains("lacks open, high, low, volume"))
    }

    @Test func anEmptyUploadIsInvalid() {
        let outcome = SeriesValidator.validate(CSVBarParser.parse(Data("Date,Open,High,Low,Close,Volume\n".utf8), symbol: "X"),
                                               profile: .prices, settings: QualitySettings())
        #expect(outcome == .invalid([RowIssue(line: 1, column: "row", reason: "the payload holds no bars")]))
    }

    @Test func gapsAreMissingWeekdaysThatAreNotHolidays() {
        let calendar = TradingCalendar(holidays: ["2024-01-15"])
        // Fri 2024-01-05 → Wed 2024-01-10 misses Mon 8 and Tue 9; Fri 12 → Tue 16 misses only the holiday Mon 15.
        let gaps = calendar.gaps(in: ["2024-01-04", "2024-01-05", "2024-01-10", "2024-01-11", "2024-01-12", "2024-01-16"])
        #expect(gaps == [TradingCalendar.Gap(from: "2024-01-08", to: "2024-01-09", tradingDays: 2)])
        #expect(calendar.tradingDays(from: "2024-01-01", to: "2024-01-31") == 22)
        #expect(TradingCalendar.parse("2024-01-15, 2024-13-01").invalid == ["2024-13-01"])
    }

    @Test func aReturnFarOutsideTheDistributionIsAnOutlier() throws {
        var bars = (0..<60).map { i in Self.bar(Resampler.isoDate(daysSinceEpoch: 19_000 + i), 100, 101, 99, 100 + Double(i % 3) * 0.5) }
        bars[40].close = 300
        bars[40].adjClose = 300
        bars[40].high = 301
        let outliers = QualityReport.outliers(bars, threshold: 4)
        try #require(outliers.map(\.date) == [bars[40].date, bars[41].date])
        #expect(outliers[0].zScore > 4 && outliers[1].zScore < -4)
        #expect(QualityReport.outliers(Array(bars.prefix(30)), threshold: 4).isEmpty)
    }

    @Test func identicalBarsInARowAreAStaleRunOnlyFromTheConfiguredLength() {
        let same = (0..<6).map { Self.bar(Resampler.isoDate(daysSinceEpoch: 19_000 + $0), 10, 10, 10, 10) }
        let moving = [Self.bar("2022-01-01", 9, 11, 8, 10)] + same + [Self.bar("2023-01-01", 9, 11, 8, 10)]
        #expect(QualityReport.staleRuns(moving, minimum: 5) == [QualityReport.StaleRun(from: same[0].date, to: same[5].date, bars: 6)])
        #expect(QualityReport.staleRuns(moving, minimum: 7).isEmpty)
    }

    @Test func theScorePenalisesMissingStaleAndOutlyingBars() {
        #expect(QualityReport.score(expected: 100, missing: 0, outliers: 0, stale: 0) == 100)
        #expect(QualityReport.score(expected: 100, missing: 3, outliers: 1, stale: 2) == 93)
        #expect(QualityReport.score(expected: 10, missing: 20, outliers: 0, stale: 0) == 0)
        #expect(QualityReport.score(expected: 0, missing: 0, outliers: 0, stale: 0) == 0)
    }

    @Test func aCleanSeriesOfEveryWeekdayScoresHundred() throws {
        let bars = SyntheticSeries.generate(symbol: "SYN", from: "2021-01-01", to: "2021-12-31", parameters: .init())
        let report = QualityReport.measure(bars, profile: .prices, settings: QualitySettings())
        #expect(report.bars == 261 && report.expectedBars == 261 && report.gaps.isEmpty && report.score == 100)
    }

    @Test func splitAdjustmentDividesEarlierPricesAndMultipliesVolume() throws {
        let bars = [Self.bar("2020-08-28", 500, 510, 490, 500, volume: 10), Self.bar("2020-08-31", 125, 130, 120, 128, volume: 40)]
        let adjusted = SplitAdjustment.apply([Split(date: "2020-08-31", ratio: 4)], to: bars, adjustAdjClose: true)
        #expect(adjusted[0] == Self.bar("2020-08-28", 125, 127.5, 122.5, 125, volume: 40))
        #expect(adjusted[1] == bars[1])
        #expect(SplitAdjustment.apply([Split(date: "2020-08-31", ratio: 4)], to: bars, adjustAdjClose: false)[0].adjClose == 500)
        #expect(try SplitAdjustment.parse("2020-08-31:4,2014-06-09:7").get() == [Split(date: "2020-08-31", ratio: 4), Split(date: "2014-06-09", ratio: 7)])
        #expect(throws: RowIssue.self) { try SplitAdjustment.parse("2020-08-31").get() }
    }

    @Test func theSyntheticGeneratorIsDeterministicPerSeedAndSymbolAndPassesTheRules() {
        var parameters = SyntheticSeries.Parameters()
        parameters.seed = 42
        let a = SyntheticSeries.generate(symbol: "AAA", from: "2000-01-01", to: "2009-12-31", parameters: parameters)
        #expect(a == SyntheticSeries.generate(symbol: "AAA", from: "2000-01-01", to: "2009-12-31", parameters: parameters))
        #expect(a != SyntheticSeries.generate(symbol: "BBB", from: "2000-01-01", to: "2009-12-31", parameters: parameters))
        parameters.seed = 43
        #expect(a != SyntheticSeries.generate(symbol: "AAA", from: "2000-01-01", to: "2009-12-31", parameters: parameters))
        #expect(a.count == 2609)
        #expect(BarRules.check(Self.located(a), profile: .prices).isEmpty)
        let reparsed = CSVBarParser.parse(Data(SyntheticSeries.csv(a).utf8), symbol: "AAA")
        #expect(reparsed.bars.map(\.bar) == a)
    }

    @Test func keysAreRedactedFromURLsAndFreeText() {
        let url = Redaction.url("https://api.stlouisfed.org/fred/series/observations?series_id=DGS10&api_key=abc123&file_type=json")
        #expect(!url.contains("abc123"))
        #expect(Redaction.text("GET https://x/query?function=F&apikey=SECRET failed") == "GET https://x/query?function=F&apikey=<redacted> failed")
    }
}
