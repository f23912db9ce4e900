import Foundation
import Quant
import Testing

@Suite("Portfolio against a benchmark, and CSV rows with their lines")
struct PortfolioBenchmarkComparisonTests {
    /// A portfolio that holds only the benchmark (all cash invested on day one) has the benchmark's return,
    /// beta 1, alpha 0 and no tracking error.
    @Test func aPortfolioHoldingOnlyTheBenchmarkTracksItExactly() throws {
        let closes: [(date: LocalDate, close: Decimal)] = (0..<40).map { i in
            (day("2024-01-01").adding(days: i), Decimal(100 + (i * 7) % 13) + Decimal(i) / 10)
        }
        let prices = PriceHistory(["IDX": closes])
        let ledger = try Ledger([
            Transaction(date: day("2024-01-01"), type: .deposit, symbol: "CASH", amount: 1000),
            Transaction(date: day("2024-01-01"), type: .buy, symbol: "IDX", quantity: 10, price: 100),
        ])
        let p = Portfolio(ledger: ledger, prices: prices)
        let twr = try p.performance(DateRange(from: day("2024-01-02"), to: day("2024-02-09"))).timeWeighted
        let c = try BenchmarkComparison(twr, benchmark: "IDX", prices: prices)
        #expect(abs(c.benchmarkReturn - twr.twr) < 1e-12)
        #expect(abs(c.activeReturn) < 1e-12)
        #expect(abs((c.beta ?? 0) - 1) < 1e-9)
        #expect(abs(c.alpha ?? 1) < 1e-9)
        #expect((c.trackingError ?? 1) < 1e-12)
        #expect(c.index.count == twr.index.count)
    }

    /// Half in cash, half in the benchmark: beta is one half, and the tracking error is half the benchmark's volatility.
    @Test func halfInCashHasBetaOneHalf() throws {
        let closes: [(date: LocalDate, close: Decimal)] = (0..<60).map { i in
            (day("2024-01-01").adding(days: i), Decimal(100) + Decimal((i * 37) % 11) - 5)
        }
        let prices = PriceHistory(["IDX": closes])
        let ledger = try Ledger([
            Transaction(date: day("2024-01-01"), type: .deposit, symbol: "CASH", amount: 200_000),
            Transaction(date: day("2024-01-01"), type: .buy, symbol: "IDX", quantity: 1000, price: closes[0].close),
        ])
        let twr = try Portfolio(ledger: ledger, prices: prices).performance(DateRange(from: day("2024-01-02"), to: day("2024-02-29"))).timeWeighted
        let c = try BenchmarkComparison(twr, benchmark: "IDX", prices: prices)
        // Weights drift with prices, so beta is near, not exactly, 0.5.
        #expect(abs((c.beta ?? 0) - 0.5) < 0.05)
        #expect((c.trackingError ?? 0) > 0)
    }

    @Test func parsedRowsKeepTheLineTheirRecordStartsOn() throws {
        let text = "date,type,symbol,quantity,price,fee,amount,currency,note\n2024-01-02,DEPOSIT,CASH,0,0,0,100,USD,\n\n"
            + "2024-01-03,BUY,AAA,1,10,0,-10,USD,\"two\nlines\"\n2024-01-04,SELL,AAA,1,11,0,11,USD,\n"
        let rows = try LedgerCSV.parseRows(text)
        #expect(rows.map(\.line) == [2, 4, 6])
        #expect(rows.map(\.transaction) == (try LedgerCSV.parse(text)))
    }
}
