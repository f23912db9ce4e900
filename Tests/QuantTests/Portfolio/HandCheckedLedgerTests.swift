import Foundation
import Quant
import Testing

/// A small ledger whose every figure is worked out by hand below.
///
///     date        row                               cash       lots after the row
///     2024-01-02  DEPOSIT 10000                     10000
///     2024-01-03  BUY AAA 100 @ 10, fee 5           8995       AAA#1 100 sh cost 1005
///     2024-01-10  BUY AAA 50 @ 12, fee 5            8390       AAA#2  50 sh cost  605
///     2024-01-15  BUY BBB 20 @ 50                   7390       BBB#1  20 sh cost 1000
///     2024-02-01  SELL AAA 120 @ 15, fee 6          9184       AAA#1 gone (1005); AAA#2 gives 20/50 of 605 = 242
///                 realized = 1800 − 6 − (1005 + 242) = 547     AAA#2  30 sh cost  363
///     2024-02-15  DIVIDEND AAA 30 × 0.50            9199
///     2024-03-01  SPLIT BBB 2:1                     9199       BBB#1  40 sh cost 1000
///     2024-03-05  FEE 10                            9189
///     2024-03-10  TAX 3                             9186
///     2024-03-15  WITHDRAWAL −2000                  7186
///     2024-03-20  SELL BBB 10 @ 30, fee 1           7485       BBB#1 gives 10/40 of 1000 = 250 → 30 sh cost 750
///                 realized = 300 − 1 − 250 = 49
///     2024-03-25  INTEREST 4.25                     7489.25
///
/// On 2024-03-31 (a Sunday; last closes AAA 20, BBB 26 on 2024-03-28): AAA 30 × 20 = 600, BBB 30 × 26 = 780,
/// value 7489.25 + 1380 = 8869.25; contributions 10000 − 2000 = 8000; realized 547 + 49 = 596; unrealized
/// (600 − 363) + (780 − 750) = 267; dividends 15, interest 4.25, fees 10, taxes 3; trade fees 5+5+6+1 = 17.
/// 8869.25 − 8000 = 869.25 = 596 + 267 + 15 + 4.25 − 10 − 3.
///
/// Average cost instead: AAA's pool is 150 sh for 1610; the sale takes 1610 · 120/150 = 1288, realized 506,
/// 30 sh left at 322, unrealized 278; the totals 506 + 49 + 278 + 30 = 863 = 596 + 267 match FIFO's.
enum HandLedger {
    static let transactions: [Transaction] = [
        Transaction(date: day("2024-01-02"), type: .deposit, symbol: "CASH", amount: 10_000),
        Transaction(date: day("2024-01-03"), type: .buy, symbol: "AAA", quantity: 100, price: 10, fee: 5),
        Transaction(date: day("2024-01-10"), type: .buy, symbol: "AAA", quantity: 50, price: 12, fee: 5, amount: -605),
        Transaction(date: day("2024-01-15"), type: .buy, symbol: "BBB", quantity: 20, price: 50),
        Transaction(date: day("2024-02-01"), type: .sell, symbol: "AAA", quantity: 120, price: 15, fee: 6, amount: 1794),
        Transaction(date: day("2024-02-15"), type: .dividend, symbol: "AAA", quantity: 30, price: dec("0.5")),
        Transaction(date: day("2024-03-01"), type: .split, symbol: "BBB", quantity: 2),
        Transaction(date: day("2024-03-05"), type: .fee, symbol: "CASH", fee: 10),
        Transaction(date: day("2024-03-10"), type: .tax, symbol: "CASH", fee: 3),
        Transaction(date: day("2024-03-15"), type: .withdrawal, symbol: "CASH", amount: -2_000),
        Transaction(date: day("2024-03-20"), type: .sell, symbol: "BBB", quantity: 10, price: 30, fee: 1),
        Transaction(date: day("2024-03-25"), type: .interest, symbol: "CASH", quantity: 1, price: dec("4.25")),
    ]

    static let prices = PriceHistory([
        "AAA": [(day("2024-01-03"), 10), (day("2024-02-01"), 15), (day("2024-03-28"), 20)],
        "BBB": [(day("2024-01-15"), 50), (day("2024-03-28"), 26)],
    ])

    static func portfolio(_ method: CostMethod = .fifo) throws -> Portfolio {
        Portfolio(ledger: try Ledger(transactions, today: day("2024-12-31")), prices: prices, method: method)
    }
}

@Suite("Portfolio hand-checked ledger")
struct PortfolioHandCheckedLedgerTests {
    @Test func fifoFiguresMatchTheHandCalculation() throws {
        let h = try HandLedger.portfolio().holdings(at: day("2024-03-31"))
        #expect(h.cash == dec("7489.25"))
        #expect(h.value == dec("8869.25"))
        #expect(h.netContributions == 8_000)
        #expect(h.realized == 596)
        #expect(h.unrealized == 267)
        #expect(h.dividends == 15)
        #expect(h.interest == dec("4.25"))
        #expect(h.fees == 10)
        #expect(h.taxes == 3)
        #expect(h.tradeFees == 17)
        #expect(h.transferredOutGain == 0)
        #expect(h.value - h.netContributions == h.totalGain)
        let aaa = try #require(h.positions.first { $0.symbol == "AAA" })
        #expect(aaa.quantity == 30 && aaa.costBasis == 363 && aaa.marketValue == 600 && aaa.realized == 547 && aaa.unrealized == 237)
        #expect(aaa.close == 20 && aaa.dividends == 15)
        let bbb = try #require(h.positions.first { $0.symbol == "BBB" })
        #expect(bbb.quantity == 30 && bbb.costBasis == 750 && bbb.marketValue == 780 && bbb.realized == 49 && bbb.unrealized == 30)
        #expect(abs(aaa.weight - 600 / 8869.25) < 1e-15)
        #expect(h.lots == [
            Lot(symbol: "AAA", acquired: day("2024-01-10"), quantity: 30, cost: 363),
            Lot(symbol: "BBB", acquired: day("2024-01-15"), quantity: 30, cost: 750),
        ])
    }

    @Test func averageCostMovesGainBetweenRealizedAndUnrealizedOnly() throws {
        let h = try HandLedger.portfolio(.averageCost).holdings(at: day("2024-03-31"))
        #expect(h.realized == 555)
        #expect(h.unrealized == 308)
        #expect(h.value == dec("8869.25"))
        #expect(h.positions.first { $0.symbol == "AAA" }?.costBasis == 322)
        #expect(h.lots.first == Lot(symbol: "AAA", acquired: day("2024-01-03"), quantity: 30, cost: 322))
    }

    @Test func holdingsMidwayCountOnlyRowsUpToTheDate() throws {
        let h = try HandLedger.portfolio().holdings(at: day("2024-02-01"))
        #expect(h.cash == 9_184)
        #expect(h.realized == 547)
        // 9184 + AAA 30 × 15 + BBB 20 × 50 (last close 2024-01-15).
        #expect(h.value == 10_634)
        #expect(h.lots.map(\.cost) == [363, 1_000])
    }

    @Test func dailyValuesCarryTheLastCloseOverDaysWithoutOne() throws {
        let v = try HandLedger.portfolio().dailyValuation(through: day("2024-03-31"))
        #expect(v.start == day("2024-01-02"))
        #expect(v.value(on: day("2024-01-02")) == 10_000)
        #expect(v.value(on: day("2024-01-03")) == 8_995 + 1_000)
        #expect(v.value(on: day("2024-01-09")) == 8_995 + 1_000)
        #expect(v.value(on: day("2024-03-31")) == 8_869.25)
        #expect(v.flow(on: day("2024-03-15")) == -2_000)
        #expect(v.flows.reduce(0, +) == 8_000)
    }

    @Test func aSplitWithoutALaterCloseValuesAtTheSplitAdjustedTradePrice() throws {
        let ledger = try Ledger([
            Transaction(date: day("2024-01-02"), type: .deposit, symbol: "CASH", amount: 1_000),
            Transaction(date: day("2024-01-03"), type: .buy, symbol: "X", quantity: 10, price: 30),
            Transaction(date: day("2024-01-04"), type: .split, symbol: "X", quantity: 3),
        ])
        let h = Portfolio(ledger: ledger).holdings(at: day("2024-01-05"))
        #expect(h.positions[0].quantity == 30)
        #expect(h.positions[0].close == 10)
        #expect(h.value == 1_000)
    }
}
