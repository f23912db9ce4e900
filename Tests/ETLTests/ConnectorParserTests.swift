import Foundation
import Quant
import Testing
@testable import ETL

/// Every connector's parser against recorded payloads in its provider's documented format, errors and limits included.
@Suite struct ConnectorParserTests {
    func expectError(_ kind: ConnectorError.Kind, containing text: String, _ body: () throws(ConnectorError) -> ParsedSeries) {
        do {
            let parsed = try body()
            Issue.record("expected a \(kind.rawValue) error, parsed \(parsed.bars.count) bars")
        } catch {
            #expect(error.kind == kind)
            #expect(error.message.contains(text), "message: \(error.message)")
        }
    }

    @Test func stooqCSVBecomesBarsWithCloseAsAdjustedClose() throws {
        let stooq = StooqConnector(baseURL: "https://stooq.com/q/d/l/", fetcher: Fixture.fetcher)
        let parsed = try stooq.parse(try Fixture.data("stooq/aapl_us_d.csv"), request: FetchRequest(symbol: "aapl.us"))
        #expect(parsed.symbol == "AAPL.US")
        #expect(parsed.issues.isEmpty)
        try #require(parsed.dates == ["2020-08-24", "2020-08-25", "2020-08-26", "2020-08-27", "2020-08-28", "2020-08-31", "2020-09-01", "2020-09-02"])
        #expect(parsed.bars[3].bar.close == 125.01 && parsed.bars[3].bar.adjClose == 125.01 && parsed.bars[3].bar.volume == 155_552_384)
        #expect(parsed.bars[0].line == 2)
        #expect(!parsed.hasAdjustedClose)
    }

    @Test func stooqNoDataIsARejectionAndTheHitsLimitIsARetryableRateLimit() throws {
        let stooq = StooqConnector(baseURL: "https://stooq.com/q/d/l/", fetcher: Fixture.fetcher)
        expectError(.rejected, containing: "no data") { () throws(ConnectorError) in
            try stooq.parse(try! Fixture.data("stooq/no_data.csv"), request: FetchRequest(symbol: "zzzz.us"))
        }
        expectError(.rateLimited, containing: "daily hits limit") { () throws(ConnectorError) in
            try stooq.parse(try! Fixture.data("stooq/daily_limit.csv"), request: FetchRequest(symbol: "aapl.us"))
        }
        #expect(stooq.url(for: FetchRequest(symbol: "AAPL.US", from: "2020-01-02", to: "2020-12-31"))
            == "https://stooq.com/q/d/l/?s=aapl.us&i=d&d1=20200102&d2=20201231")
    }

    @Test func yahooChartBecomesBarsSkippingAllNullDaysWithAdjCloseSplitsAndMetadata() throws {
        let yahoo = YahooConnector(baseURL: "https://query1.finance.yahoo.com/v8/finance/chart", fetcher: Fixture.fetcher)
        let parsed = try yahoo.parse(try Fixture.data("yahoo/chart_aapl.json"), request: FetchRequest(symbol: "aapl"))
        #expect(parsed.issues.isEmpty)
        try #require(parsed.dates == ["2020-08-26", "2020-08-27", "2020-08-31", "2020-09-01"])
        #expect(parsed.bars[1].bar.close == 125.01000213623047)
        #expect(parsed.bars[1].bar.adjClose == 122.21072387695312)
        #expect(parsed.bars[1].line == 2)
        #expect(parsed.splits == [Split(date: "2020-08-31", ratio: 4)])
        #expect(parsed.instrument == InstrumentInfo(name: "Apple Inc.", exchange: "NMS", currency: "USD", type: "equity"))
        #expect(parsed.hasAdjustedClose)
    }

    @Test func yahooRowWithSomeNullFieldsIsReportedNotDropped() throws {
        let yahoo = YahooConnector(baseURL: "https://example.invalid/", fetcher: Fixture.fetcher)
        let parsed = try yahoo.parse(try Fixture.data("yahoo/chart_partial_row.json"), request: FetchRequest(symbol: "AAPL"))
        #expect(parsed.issues == [RowIssue(line: 2, column: "high", reason: "is null")])
        #expect(parsed.dates == ["2020-08-26", "2020-08-31", "2020-09-01"])
    }

    @Test func yahooChartErrorAndTooManyRequestsAreTypedErrors() {
        let yahoo = YahooConnector(baseURL: "https://example.invalid/", fetcher: Fixture.fetcher)
        expectError(.rejected, containing: "No data found, symbol may be delisted") { () throws(ConnectorError) in
            try yahoo.parse(try! Fixture.data("yahoo/chart_not_found.json"), request: FetchRequest(symbol: "ZZZZ"))
        }
        expectError(.rateLimited, containing: "too many requests") { () throws(ConnectorError) in
            try yahoo.parse(try! Fixture.data("yahoo/too_many_requests.txt"), request: FetchRequest(symbol: "AAPL"))
        }
        let url = yahoo.url(for: FetchRequest(symbol: "^gspc", from: "2020-01-02", to: "2020-01-03"))
        #expect(url == "https://example.invalid/%5EGSPC?period1=1577923200&period2=1578096000&interval=1d&events=div%7Csplit&includeAdjustedClose=true")
    }

    @Test func alphaVantageDailySeriesIsSortedAndFilteredToTheRange() throws {
        let av = AlphaVantageConnector(baseURL: "https://www.alphavantage.co/query", apiKey: "K", fetcher: Fixture.fetcher)
        let parsed = try av.parse(try Fixture.data("alphavantage/daily_ibm.json"), request: FetchRequest(symbol: "ibm", from: "2024-05-07", to: "2024-05-09"))
        #expect(parsed.issues.isEmpty)
        try #require(parsed.dates == ["2024-05-07", "2024-05-08", "2024-05-09"])
        #expect(parsed.bars[0].bar == .init(date: "2024-05-07", open: 169, high: 169.29, low: 167.94, close: 168.38, adjClose: 168.38, volume: 3_150_847))
    }

    @Test func alphaVantageErrorNoteAndInformationAreTellApartAndNeverShowTheKey() {
        let av = AlphaVantageConnector(baseURL: "https://www.alphavantage.co/query", apiKey: "DEMOKEY123", fetcher: Fixture.fetcher)
        let request = FetchRequest(symbol: "IBM")
        expectError(.rejected, containing: "Invalid API call") { () throws(ConnectorError) in try av.parse(try! Fixture.data("alphavantage/error_message.json"), request: request) }
        expectError(.rateLimited, containing: "5 calls per minute") { () throws(ConnectorError) in try av.parse(try! Fixture.data("alphavantage/note_rate_limit.json"), request: request) }
        expectError(.rateLimited, containing: "API key as <redacted>") { () throws(ConnectorError) in
            try av.parse(try! Fixture.data("alphavantage/information_daily_limit.json"), request: request)
        }
        expectError(.rejected, containing: "premium endpoint") { () throws(ConnectorError) in try av.parse(try! Fixture.data("alphavantage/information_premium.json"), request: request) }
        #expect(Redaction.url(av.url(for: request)).contains("apikey=%3Credacted%3E") || Redaction.url(av.url(for: request)).contains("apikey=<redacted>"))
        #expect(!Redaction.url(av.url(for: request)).contains("DEMOKEY123"))
    }

    @Test func fredObservationsSkipTheMissingMarkerAndErrorsKeepTheirCode() throws {
        let fred = FREDConnector(baseURL: "https://api.stlouisfed.org/fred/series/observations", apiKey: "K", fetcher: Fixture.fetcher)
        let parsed = try fred.parse(try Fixture.data("fred/observations_dgs10.json"), request: FetchRequest(symbol: "dgs10"))
        #expect(parsed.issues.isEmpty)
        #expect(parsed.dates == ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-16"])
        #expect(parsed.bars.last?.bar == .init(date: "2024-01-16", open: 4.07, high: 4.07, low: 4.07, close: 4.07, adjClose: 4.07, volume: 0))
        #expect(parsed.bars.last?.line == 7)
        expectError(.rejected, containing: "FRED error 400") { () throws(ConnectorError) in try fred.parse(try! Fixture.data("fred/error_api_key.json"), request: FetchRequest(symbol: "X")) }
        expectError(.rateLimited, containing: "Exceeded Rate Limit") { () throws(ConnectorError) in
            try fred.parse(try! Fixture.data("fred/error_rate_limit.json"), request: FetchRequest(symbol: "X"))
        }
    }

    @Test func worldBankYearsBecomeFirstDaysAndTheMessageArrayIsAnError() throws {
        let wb = WorldBankConnector(baseURL: "https://api.worldbank.org/v2/country", fetcher: Fixture.fetcher)
        let request = FetchRequest(symbol: "US:NY.GDP.MKTP.CD", from: "2019-01-01", to: "2023-12-31")
        let parsed = try wb.parse(try Fixture.data("worldbank/gdp_us.json"), request: request)
        #expect(parsed.issues.isEmpty)
        #expect(Set(parsed.dates) == ["2019-01-01", "2020-01-01", "2021-01-01", "2022-01-01"])
        #expect(parsed.bars.first { $0.bar.date == "2022-01-01" }?.bar.close == 25_744_108_000_000)
        #expect(parsed.instrument?.name == "GDP (current US$)")
        #expect(wb.url(for: request) == "https://api.worldbank.org/v2/country/us/indicator/NY.GDP.MKTP.CD?format=json&per_page=20000&date=2019:2023")
        expectError(.rejected, containing: "Invalid value") { () throws(ConnectorError) in
            try wb.parse(try! Fixture.data("worldbank/error_invalid_value.json"), request: request)
        }
        #expect(WorldBankConnector.periodStart("2020Q3") == "2020-07-01")
        #expect(WorldBankConnector.periodStart("2020M11") == "2020-11-01")
        #expect(WorldBankConnector.periodStart("20x0") == nil)
    }

    @Test func malformedPayloadsAreMalformedNotEmptySeries() {
        let garbage = Data("<html>maintenance</html>".utf8)
        expectError(.malformed, containing: "not chart JSON") { () throws(ConnectorError) in
            try YahooConnector(baseURL: "x", fetcher: Fixture.fetcher).parse(garbage, request: FetchRequest(symbol: "A"))
        }
        expectError(.malformed, containing: "not a JSON object") { () throws(ConnectorError) in
            try AlphaVantageConnector(baseURL: "x", apiKey: "k", fetcher: Fixture.fetcher).parse(garbage, request: FetchRequest(symbol: "A"))
        }
        expectError(.malformed, containing: "not its CSV") { () throws(ConnectorError) in
            try StooqConnector(baseURL: "x", fetcher: Fixture.fetcher).parse(garbage, request: FetchRequest(symbol: "A"))
        }
    }
}
