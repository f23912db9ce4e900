import Foundation
@testable import Quant
import Testing

@Suite("Portfolio accounting properties")
struct PortfolioAccountingPropertyTests {
    @Test(arguments: 1...40)
    func valueMinusContributionsEqualsTheSumOfGainsExactly(seed: UInt64) throws {
        let random = RandomLedger(seed: seed, rows: 150)
        let ledger = try Ledger(random.transactions)
        for method in CostMethod.allCases {
            let portfolio = Portfolio(ledger: ledger, prices: PriceHistory(random.closes), method: method)
            for offset in [0, 37, 200, random.days - 1] {
                let h = portfolio.holdings(at: random.start.adding(days: offset))
                #expect(h.value - h.netContributions == h.totalGain, "seed \(seed) \(method) day \(offset)")
                #expect(h.value == h.cash + h.positions.reduce(0) { $0 + $1.marketValue })
                #expect(h.positions.reduce(0) { $0 + $1.costBasis } == h.lots.reduce(0) { $0 + $1.cost })
            }
        }
    }

    @Test(arguments: 1...20)
    func theFastExactPathAgreesWithDecimalEverywhere(seed: UInt64) throws {
        let random = RandomLedger(seed: seed, rows: 200)
        let ledger = try Ledger(random.transactions)
        guard case .fixed = ledger.rows else {
            Issue.record("seed \(seed): expected the Fixed64 path")
            return
        }
        let prices = PriceHistory(random.closes)
        for method in CostMethod.allCases {
            let fast = Portfolio(ledger: ledger, prices: prices, method: method).holdings(at: random.end)
            let slow = Portfolio(ledger: ledger.forcingDecimal(), prices: prices, method: method).holdings(at: random.end)
            // Weights are Double and may differ in the last bit (two conversions to Double); money must not.
            #expect(fast.withoutWeights == slow.withoutWeights, "seed \(seed) \(method)")
            #expect(abs(fast.cashWeight - slow.cashWeight) < 1e-15)
        }
    }

    @Test(arguments: 1...10)
    func aRangeSummarySatisfiesTheIdentityOverThatRange(seed: UInt64) throws {
        let random = RandomLedger(seed: seed, rows: 150)
        let portfolio = Portfolio(ledger: try Ledger(random.transactions), prices: PriceHistory(random.closes))
        let s = try portfolio.performance(DateRange(from: random.start.adding(days: 50), to: random.start.adding(days: 300)))
        let gains = s.realized + s.unrealizedChange + s.transferredOutGain + s.dividends + s.interest - s.fees - s.taxes
        #expect(s.valueEnd - s.valueStart - s.netContributions == gains, "seed \(seed)")
        #expect(s.byYear.map(\.year) == [2020])
        let whole = try portfolio.performance(DateRange(from: random.start, to: random.end))
        #expect(whole.byYear.map(\.year) == [2020, 2021])
        #expect(whole.byYear.reduce(Decimal(0)) { $0 + $1.netContributions } == whole.netContributions)
        let linked = whole.byYear.reduce(1.0) { $0 * (1 + $1.twr) } - 1
        #expect(abs(linked - whole.twr) < 1e-12 * max(1, abs(whole.twr)))
    }

    @Test func anOversizedNumberFallsBackToDecimal() throws {
        let ledger = try Ledger([
            Transaction(date: day("2024-01-02"), type: .deposit, symbol: "CASH", amount: dec("12345678901234567890")),
            Transaction(date: day("2024-01-03"), type: .buy, symbol: "X", quantity: 3, price: dec("0.333333333333")),
        ])
        guard case .decimal = ledger.rows else {
            Issue.record("expected the Decimal path")
            return
        }
        let h = Portfolio(ledger: ledger).holdings(at: day("2024-01-03"))
        #expect(h.cash == dec("12345678901234567889.000000000001"))
        #expect(h.value - h.netContributions == h.totalGain)
    }

    @Test func overflowInTheMiddleOfThePassRepeatsItInDecimal() throws {
        // Each number fits Fixed64; their product (cost) does not, so the pass restarts in Decimal.
        let ledger = try Ledger([
            Transaction(date: day("2024-01-02"), type: .transferIn, symbol: "X", quantity: dec("9000000000.5"), price: dec("9000000000.25")),
        ])
        let h = Portfolio(ledger: ledger).holdings(at: day("2024-01-02"))
        #expect(h.netContributions == dec("81000000006750000000.125"))
        #expect(h.value == h.netContributions && h.unrealized == 0)
    }
}

extension Holdings {
    var withoutWeights: Holdings {
        var copy = self
        copy.cashWeight = 0
        for i in copy.positions.indices { copy.positions[i].weight = 0 }
        return copy
    }
}
