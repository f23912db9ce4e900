import Foundation
import Quant
import Testing

@Suite("Portfolio ledger CSV")
struct PortfolioLedgerCSVTests {
    static let bourse = """
        date,type,symbol,quantity,price,fee,amount,currency
        2024-01-02,DEPOSIT,CASH,0,0,0,10000,USD
        2024-01-03,BUY,AAA,100,10,5,-1005,USD
        2024-02-01,SELL,AAA,40,15,6,594,USD
        2024-02-15,DIVIDEND,AAA,60,0.5,0,30,USD
        2024-03-01,INTEREST,CASH,1,4.25,0,4.25,USD
        2024-03-05,FEE,CASH,0,0,10,-10,USD
        2024-03-15,WITHDRAWAL,CASH,0,0,0,-2000,
        """

    @Test func theBourseLayoutReadsEveryTypeWithItsCashEffect() throws {
        let rows = try LedgerCSV.parse(Self.bourse)
        #expect(rows.count == 7)
        #expect(rows.map(\.type) == [.deposit, .buy, .sell, .dividend, .interest, .fee, .withdrawal])
        #expect(rows.map(\.cashEffect) == [10_000, -1_005, 594, 30, dec("4.25"), -10, -2_000])
        #expect(rows[6].currency == "USD")
        #expect(rows[3].price == dec("0.5"))
    }

    @Test func aGhostfolioExportIsDetectedFromItsHeader() throws {
        let text = """
            Date,Code,Currency,Price,Quantity,Action,Fee,Note
            01-09-2021,MSFT,USD,298.58,5,buy,19.00,"first, of many"
            15/09/2021,MSFT,USD,0.62,5,dividend,0,
            20.10.2021,MSFT,USD,310,2,sell,1.50,
            20211101,MSFT,USD,0,0,fee,4.5,
            2021-12-01T00:00:00.000Z,USD,USD,1,7.25,interest,0,
            """
        let rows = try LedgerCSV.parse(text)
        #expect(rows.map(\.date) == [day("2021-09-01"), day("2021-09-15"), day("2021-10-20"), day("2021-11-01"), day("2021-12-01")])
        #expect(rows.map(\.type) == [.buy, .dividend, .sell, .fee, .interest])
        #expect(rows[0].cashEffect == dec("-1511.90") && rows[0].note == "first, of many")
        #expect(rows[3].symbol == "CASH" && rows[3].fee == dec("4.5") && rows[3].cashEffect == dec("-4.5"))
        #expect(rows[4].symbol == "CASH" && rows[4].quantity == 1 && rows[4].price == dec("7.25"))
        _ = try Ledger(rows)
    }

    @Test func ghostfolioAliasesAreCaseInsensitive() throws {
        let rows = try LedgerCSV.parse("TRADEDATE,Ticker,Type,UnitPrice,Shares,Commission,Ccy\n2024-01-05,VT,BUY,100,3,1,CHF\n")
        #expect(rows == [Transaction(date: day("2024-01-05"), type: .buy, symbol: "VT", quantity: 3, price: 100, fee: 1, currency: "CHF")])
    }

    @Test func liabilityAndItemRowsAreRefusedWithTheirReason() {
        let text = "Date,Code,Currency,Price,Quantity,Action,Fee\n2024-01-05,LOAN,USD,1,100,liability,0\n2024-01-05,CAR,USD,1,1,item,0\n"
        let issues = csvIssues(text)
        #expect(issues.count == 2)
        #expect(issues.allSatisfy { $0.column == "Action" })
        #expect(issues[0].reason.contains("liabilities") && issues[1].reason.contains("manual item"))
        #expect(issues.map(\.line) == [2, 3])
    }

    @Test(arguments: [
        ("2024-13-01,BUY,AAA,1,10,0,-10,USD", "date", "not a date"),
        ("2024-01-02,BORROW,AAA,1,10,0,-10,USD", "type", "not a transaction type"),
        ("2024-01-02,BUY,AAA,1.2.3,10,0,,USD", "quantity", "not a number"),
        ("2024-01-02,BUY,AAA,1,10abc,0,,USD", "price", "not a number"),
        ("2024-01-02,BUY,AAA,1,1e3,0,,USD", "price", "not a number"),
        ("2024-01-02,BUY,AAA,1,10,-1,,USD", "fee", "negative"),
        ("2024-01-02,BUY,AAA,-1,10,0,,USD", "quantity", "negative"),
        ("2024-01-02,BUY,AAA,1,10,1,-10,USD", "amount", "differs"),
        ("2024-01-02,BUY,CASH,1,10,0,,USD", "symbol", "names a security"),
        ("2024-01-02,DEPOSIT,AAA,0,0,0,100,USD", "symbol", "cash account"),
        ("2024-01-02,DEPOSIT,CASH,0,0,0,,USD", "amount", "needs its amount"),
        ("2024-01-02,BUY,,1,10,0,,USD", "symbol", "empty"),
        ("2024-01-02,BUY,AAA,,10,0,,USD", "quantity", "empty"),
        ("2024-01-02,BUY,AAA,1,10,0,USD", "", "has 7 fields"),
    ])
    func eachKindOfMalformedRowIsRefusedNamingLineAndColumn(row: String, column: String, reason: String) {
        let text = "date,type,symbol,quantity,price,fee,amount,currency\n2024-01-01,DEPOSIT,CASH,0,0,0,50,USD\n\(row)\n"
        let issues = csvIssues(text)
        #expect(issues.count == 1, "\(issues)")
        #expect(issues.first?.line == 3)
        #expect(issues.first?.column == column)
        #expect(issues.first?.reason.contains(reason) == true, "\(issues)")
    }

    @Test func everyBadRowIsReportedAndNoTransactionIsReturned() {
        let text = "date,type,symbol,quantity,price,fee,amount,currency\nx,BUY,AAA,1,10,0,,USD\n2024-01-02,BUY,AAA,1,10,0,,USD\n2024-01-03,NOPE,AAA,q,10,0,,USD\n"
        let issues = csvIssues(text)
        #expect(issues.map(\.line) == [2, 4, 4])
        #expect(issues.map(\.column) == ["date", "type", "quantity"])
    }

    @Test func quotedFieldsFollowRFC4180() throws {
        let text = "date,type,symbol,quantity,price,fee,amount,currency,note\r\n"
            + "2024-01-02,DEPOSIT,CASH,0,0,0,\"100\",USD,\"said \"\"hi\"\"\nthen left\"\r\n"
            + "2024-01-03,FEE,CASH,0,0,1,-1,USD,plain\r\n"
        let rows = try LedgerCSV.parse(text)
        #expect(rows.map(\.note) == ["said \"hi\"\nthen left", "plain"])
        #expect(csvIssues("date,type,symbol,quantity,price,fee,amount,currency\n\"2024-01-02,DEPOSIT,CASH,0,0,0,1,USD\n")
            .first?.reason.contains("never closed") == true)
        #expect(csvIssues("date,type,symbol,quantity,price,fee,amount,currency\n2024-01-02,DEP\"OSIT,CASH,0,0,0,1,USD\n").count == 1)
    }

    @Test func aCustomMappingNamesTheFilesColumns() throws {
        let text = "Booked;Kind\nwhen,kind,ticker,n,px,cost,cash,ccy\n"
            .replacingOccurrences(of: "Booked;Kind\n", with: "") + "2024-01-05,BUY,ABC,2,50.5,1,-102,EUR\n"
        let mapping: [LedgerField: String] = [
            .date: "When", .type: "kind", .symbol: "ticker", .quantity: "n", .price: "px", .fee: "cost", .amount: "cash", .currency: "ccy",
        ]
        let rows = try LedgerCSV.parse(text, mapping: mapping)
        #expect(rows == [Transaction(date: day("2024-01-05"), type: .buy, symbol: "ABC", quantity: 2, price: dec("50.5"), fee: 1, currency: "EUR", amount: -102)])
        #expect(csvIssues(text, mapping: [.date: "missing"]).map(\.column).contains("missing"))
    }

    @Test(arguments: 1...5)
    func writingThenReadingGivesTheSameTransactions(seed: UInt64) throws {
        var rows = RandomLedger(seed: seed, rows: 80).transactions.map { t -> Transaction in
            var t = t
            t.amount = t.amount ?? t.cashEffect
            return t
        }
        rows[1].note = "a note, with \"quotes\""
        let text = LedgerCSV.write(rows)
        #expect(try LedgerCSV.parse(text) == rows)
        #expect(text.hasPrefix("date,type,symbol,quantity,price,fee,amount,currency,note\n"))
    }

    func csvIssues(_ text: String, mapping: [LedgerField: String]? = nil) -> [CSVIssue] {
        do {
            _ = try LedgerCSV.parse(text, mapping: mapping)
            return []
        } catch {
            return error.issues
        }
    }
}
