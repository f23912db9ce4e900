import Quant
import Testing

@Suite("PriceTable")
struct PriceTableTests {
    @Test(arguments: [("orcl-1995-2014.csv", 5036), ("yhoo-1996-2014.csv", 4713), ("nvda-1999-2014.csv", 4012)])
    func parsesEveryRowOfTheRealYahooFiles(file: String, rows: Int) throws {
        let table = try PriceTable.parse(try IndicatorTestData.sharedText("prices", file), source: file)
        #expect(table.header == ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"])
        #expect(table.dates.count == rows)
        let bars = try table.ohlcv()
        #expect(bars.count == rows)
        #expect(try table.column("adj close").count == rows)
        #expect(bars.dates.first?.count == 10)
        #expect(zip(bars.high, bars.low).allSatisfy { $0 >= $1 })
    }

    @Test func readsThePlainHeaderCaseInsensitivelyWithCRLFAndTrailingBlankLines() throws {
        let text = "date,OPEN,High,low,Close,volume\r\n2020-01-02,1,2,0.5,1.5,100\r\n2020-01-03,1.5,3,1,2.5,200\r\n\r\n"
        let table = try PriceTable.parse(text, source: "plain.csv")
        let bars = try table.ohlcv()
        #expect(bars.dates == ["2020-01-02", "2020-01-03"])
        #expect(bars.close == [1.5, 2.5])
        #expect(bars.volume == [100, 200])
    }

    @Test func namesFileRowAndColumnOfAnUnparsableNumber() {
        let text = "Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,100\n2020-01-03,1,abc,0.5,1.5,100\n"
        #expect(throws: QuantError(.parse, "prices.csv: row 3, column High: \"abc\" is not a number")) {
            try PriceTable.parse(text, source: "prices.csv")
        }
    }

    @Test func rejectsNonFiniteCells() {
        let text = "Date,Close\n2020-01-02,nan\n"
        #expect(throws: QuantError(.parse, "p.csv: row 2, column Close: \"nan\" is not a finite number")) {
            try PriceTable.parse(text, source: "p.csv")
        }
    }

    @Test func rejectsARowWithMissingFields() {
        let text = "Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5\n"
        #expect(throws: QuantError(.parse, "p.csv: row 2, column Volume: expected 6 fields, found 5")) {
            try PriceTable.parse(text, source: "p.csv")
        }
    }

    @Test func rejectsAHeaderThatDoesNotStartWithDate() {
        #expect(throws: QuantError(.parse, "p.csv: row 1, column 1: header must start with Date, found \"Open\"")) {
            try PriceTable.parse("Open,Close\n1,2\n", source: "p.csv")
        }
    }

    @Test func rejectsEmptyTextAndAHeaderWithoutRows() throws {
        #expect(throws: QuantError.self) { try PriceTable.parse("", source: "p.csv") }
        #expect(throws: QuantError(.parse, "p.csv: row 2: no data rows after the header")) {
            try PriceTable.parse("Date,Close\n", source: "p.csv")
        }
    }

    @Test func missingColumnErrorListsTheAvailableOnes() throws {
        let table = try PriceTable.parse("Date,Close\n2020-01-02,1\n", source: "p.csv")
        #expect(try table.column("CLOSE") == [1])
        #expect(throws: QuantError(.parse, "p.csv: row 1: no column Open (columns: Date, Close)")) { try table.ohlcv() }
    }

    @Test func ohlcvRejectsMismatchedLengthsAndNonFiniteValues() {
        #expect(throws: QuantError.lengthMismatch("high", 1, "dates", 2)) {
            try OHLCV(dates: ["a", "b"], open: [1, 1], high: [1], low: [1, 1], close: [1, 1], volume: [1, 1])
        }
        #expect(throws: QuantError.nonFinite("close", index: 1)) {
            try OHLCV(dates: ["a", "b"], open: [1, 1], high: [1, 1], low: [1, 1], close: [1, .infinity], volume: [1, 1])
        }
    }
}
