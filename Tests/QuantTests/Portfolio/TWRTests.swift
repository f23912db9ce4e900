import Foundation
import Quant
import Testing

@Suite("Portfolio time-weighted return")
struct PortfolioTWRTests {
    /// Sub-period returns between flow dates, from exact holdings: period k runs from flow date d_k to the day
    /// before d_{k+1}, with return V(d_{k+1} − 1) / (V(d_k − 1) + F(d_k)) − 1.
    static func linkedSubPeriods(_ p: Portfolio, from: LocalDate, to: LocalDate) -> Double {
        let flowDays = Set(p.ledger.transactions.filter { $0.externalFlow != 0 && $0.date >= from && $0.date <= to }.map(\.date))
        let cuts = ([from] + flowDays.sorted().filter { $0 > from }) + [to.adding(days: 1)]
        func value(_ d: LocalDate) -> Double { NSDecimalNumber(decimal: p.holdings(at: d).value).doubleValue }
        func flow(_ d: LocalDate) -> Double {
            p.ledger.transactions.filter { $0.date == d }.reduce(0) { $0 + NSDecimalNumber(decimal: $1.externalFlow).doubleValue }
        }
        var growth = 1.0
        for (a, b) in zip(cuts, cuts.dropFirst()) {
            let base = value(a.adding(days: -1)) + flow(a)
            growth *= value(b.adding(days: -1)) / base
        }
        return growth - 1
    }

    @Test func theHandLedgerChainsToTheProductOfItsTwoSubPeriods() throws {
        let p = try HandLedger.portfolio()
        let v = p.dailyValuation(through: day("2024-03-31"))
        let twr = try TimeWeightedReturn(v, from: day("2024-01-02"), to: day("2024-03-31"))
        // V(03-14) = 9186 + AAA 30 × 15 + BBB 40 × 50 = 11636; V(03-31) = 8869.25.
        let expected = (11_636.0 / 10_000) * (8_869.25 / (11_636 - 2_000)) - 1
        #expect(abs(twr.twr - expected) < 1e-14)
        #expect(abs(twr.twr - Self.linkedSubPeriods(p, from: day("2024-01-02"), to: day("2024-03-31"))) < 1e-14)
        #expect(twr.index.count == twr.calendarDays + 1)
        #expect(abs(twr.annualized - (pow(1 + expected, 365.0 / 90) - 1)) < 1e-13)
    }

    @Test(arguments: 1...12)
    func dailyChainLinkingEqualsLinkingSubPeriodsBetweenFlowDates(seed: UInt64) throws {
        let random = RandomLedger(seed: seed, rows: 60, days: 120, transfers: seed % 2 == 0)
        let p = Portfolio(ledger: try Ledger(random.transactions), prices: PriceHistory(random.closes))
        let from = random.start.adding(days: 10), to = random.end
        let twr = try TimeWeightedReturn(p.dailyValuation(through: to), from: from, to: to).twr
        let linked = Self.linkedSubPeriods(p, from: from, to: to)
        #expect(abs(twr - linked) < 1e-10 * max(1, abs(linked)), "seed \(seed): \(twr) vs \(linked)")
    }

    @Test func aFlowDoesNotMoveTheTWRButMovesTheValue() throws {
        var rows = [
            Transaction(date: day("2024-01-01"), type: .deposit, symbol: "CASH", amount: 1_000),
            Transaction(date: day("2024-01-01"), type: .buy, symbol: "X", quantity: 10, price: 100),
        ]
        let prices = PriceHistory(["X": [(day("2024-01-01"), 100), (day("2024-01-02"), 110), (day("2024-01-03"), 121)]])
        let plain = Portfolio(ledger: try Ledger(rows), prices: prices)
        rows.append(Transaction(date: day("2024-01-02"), type: .deposit, symbol: "CASH", amount: 5_000))
        let withDeposit = Portfolio(ledger: try Ledger(rows), prices: prices)
        let end = day("2024-01-03")
        let a = try TimeWeightedReturn(plain.dailyValuation(through: end), from: day("2024-01-01"), to: end)
        let b = try TimeWeightedReturn(withDeposit.dailyValuation(through: end), from: day("2024-01-01"), to: end)
        #expect(abs(a.twr - 0.21) < 1e-12)
        // Day 2: 1100 + 5000 on a base 1000 + 5000; day 3: 1210 + 5000 on 6100.
        #expect(abs(b.twr - ((6_100.0 / 6_000) * (6_210.0 / 6_100) - 1)) < 1e-12)
    }

    @Test func maxDrawdownNamesPeakTroughAndRecoveryDates() throws {
        let rows = [
            Transaction(date: day("2024-01-01"), type: .deposit, symbol: "CASH", amount: 100),
            Transaction(date: day("2024-01-01"), type: .buy, symbol: "X", quantity: 1, price: 100),
        ]
        let closes: [(date: LocalDate, close: Decimal)] = [
            (day("2024-01-01"), 100), (day("2024-01-02"), 120), (day("2024-01-03"), 90), (day("2024-01-04"), 60),
            (day("2024-01-05"), 100), (day("2024-01-06"), 125),
        ]
        let p = Portfolio(ledger: try Ledger(rows), prices: PriceHistory(["X": closes]))
        let twr = try TimeWeightedReturn(p.dailyValuation(through: day("2024-01-07")), from: day("2024-01-01"), to: day("2024-01-07"))
        let dd = twr.maxDrawdown
        #expect(abs(dd.depth - (-0.5)) < 1e-12)
        #expect(dd.peak == day("2024-01-02") && dd.trough == day("2024-01-04") && dd.recovery == day("2024-01-06"))
    }

    @Test func weekendReturnsCompoundIntoTheNextWeekday() throws {
        // 2024-01-05 is a Friday. Saturday +10%, Sunday +10%, Monday 0: one weekday return of 21%.
        let rows = [
            Transaction(date: day("2024-01-05"), type: .deposit, symbol: "CASH", amount: 100),
            Transaction(date: day("2024-01-05"), type: .buy, symbol: "X", quantity: 1, price: 100),
        ]
        let closes: [(date: LocalDate, close: Decimal)] = [(day("2024-01-05"), 100), (day("2024-01-06"), 110), (day("2024-01-07"), 121)]
        let p = Portfolio(ledger: try Ledger(rows), prices: PriceHistory(["X": closes]))
        let twr = try TimeWeightedReturn(p.dailyValuation(through: day("2024-01-08")), from: day("2024-01-05"), to: day("2024-01-08"))
        #expect(twr.weekdayReturns.count == 2)
        #expect(abs(twr.weekdayReturns[1] - 0.21) < 1e-12)
    }
}
