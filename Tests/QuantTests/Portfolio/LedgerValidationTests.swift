import Foundation
import Quant
import Testing

@Suite("Portfolio ledger validation")
struct PortfolioLedgerValidationTests {
    @Test func sellingMoreThanHeldIsRefusedOnQuantityCountingSplits() {
        let rows = [
            Transaction(date: day("2024-01-02"), type: .buy, symbol: "X", quantity: 10, price: 1),
            Transaction(date: day("2024-01-03"), type: .split, symbol: "X", quantity: 2),
            Transaction(date: day("2024-01-04"), type: .sell, symbol: "X", quantity: 20, price: 1),
            Transaction(date: day("2024-01-05"), type: .transferOut, symbol: "X", quantity: 1, price: 1),
        ]
        let issues = Ledger.validate(rows)
        #expect(issues == [LedgerIssue(index: 3, field: "quantity", reason: "TRANSFER_OUT of 1 X but only 0 held")])
    }

    @Test func indicesNameTheInputRowEvenWhenTheLedgerIsOutOfOrder() {
        let rows = [
            Transaction(date: day("2024-01-05"), type: .sell, symbol: "X", quantity: 11, price: 1),
            Transaction(date: day("2024-01-02"), type: .buy, symbol: "X", quantity: 10, price: 1),
        ]
        #expect(Ledger.validate(rows).map(\.index) == [0])
        #expect(Ledger.validate([rows[1], Transaction(date: day("2024-01-05"), type: .sell, symbol: "X", quantity: 10, price: 1)]).isEmpty)
    }

    @Test func aDateAfterTodayIsRefused() {
        let rows = [Transaction(date: day("2024-06-02"), type: .deposit, symbol: "CASH", amount: 1)]
        #expect(Ledger.validate(rows, today: day("2024-06-01")).map(\.field) == ["date"])
        #expect(Ledger.validate(rows, today: day("2024-06-02")).isEmpty)
    }

    @Test func negativeNumbersAndCashMisuseAreEachNamed() {
        let rows = [
            Transaction(date: day("2024-01-02"), type: .buy, symbol: "X", quantity: 1, price: -1),
            Transaction(date: day("2024-01-02"), type: .buy, symbol: "X", quantity: 1, price: 1, fee: -1),
            Transaction(date: day("2024-01-02"), type: .interest, symbol: "X", quantity: 1, price: 1),
            Transaction(date: day("2024-01-02"), type: .dividend, symbol: "CASH", quantity: 1, price: 1),
            Transaction(date: day("2024-01-02"), type: .withdrawal, symbol: "CASH", amount: 5),
            Transaction(date: day("2024-01-02"), type: .sell, symbol: "X", quantity: 1, price: 2, amount: 3),
            Transaction(date: day("2024-01-02"), type: .split, symbol: "X", quantity: 0),
        ]
        let issues = Ledger.validate(rows)
        #expect(issues.map(\.index) == [0, 1, 2, 3, 4, 5, 6])
        #expect(issues.map(\.field) == ["price", "fee", "symbol", "symbol", "amount", "amount", "quantity"])
    }

    @Test func theLedgerInitThrowsEveryIssueAtOnce() {
        #expect(throws: LedgerError.self) {
            try Ledger([Transaction(date: day("2024-01-02"), type: .sell, symbol: "X", quantity: 1, price: 1)])
        }
    }

    @Test func typesParseCaseInsensitivelyAndUnknownTypesDoNot() {
        #expect(TransactionType(parsing: "transfer-in") == .transferIn)
        #expect(TransactionType(parsing: " Buy ") == .buy)
        #expect(TransactionType(parsing: "borrow") == nil)
    }

    @Test func rangePresetsEndOnTheGivenDay() {
        let end = day("2024-03-14")  // a Thursday
        let inception = day("2019-05-01")
        #expect(DateRange.preset("1d", end: end, inception: inception) == DateRange(from: end, to: end))
        #expect(DateRange.preset("wtd", end: end, inception: inception)?.from == day("2024-03-11"))
        #expect(DateRange.preset("mtd", end: end, inception: inception)?.from == day("2024-03-01"))
        #expect(DateRange.preset("ytd", end: end, inception: inception)?.from == day("2024-01-01"))
        #expect(DateRange.preset("1y", end: end, inception: inception)?.from == day("2023-03-15"))
        #expect(DateRange.preset("5y", end: end, inception: inception)?.from == day("2019-03-15"))
        #expect(DateRange.preset("max", end: end, inception: inception)?.from == inception)
        #expect(DateRange.preset("2023", end: end, inception: inception) == DateRange(from: day("2023-01-01"), to: day("2023-12-31")))
        #expect(DateRange.preset("2024", end: end, inception: inception)?.to == end)
        #expect(DateRange.preset("2025", end: end, inception: inception) == nil)
        #expect(DateRange.preset("3w", end: end, inception: inception) == nil)
        #expect(day("2024-02-29").adding(years: 1) == day("2025-02-28"))
    }
}
