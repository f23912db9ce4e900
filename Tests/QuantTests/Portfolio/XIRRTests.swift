import Foundation
import Quant
import Testing

@Suite("Portfolio XIRR")
struct PortfolioXIRRTests {
    /// An independent solver: plain bisection on (−0.99, 100) with the NPV written out again.
    static func bisection(_ flows: [DatedFlow]) -> Double? {
        let first = flows.map(\.date).min()!
        func npv(_ r: Double) -> Double {
            flows.reduce(0) { $0 + $1.amount / pow(1 + r, Double(first.days(to: $1.date)) / 365) }
        }
        var (a, b) = (-0.99, 100.0)
        guard (npv(a) < 0) != (npv(b) < 0) else { return nil }
        for _ in 0..<200 {
            let m = (a + b) / 2
            if (npv(m) < 0) == (npv(a) < 0) { a = m } else { b = m }
        }
        return (a + b) / 2
    }

    @Test func oneYearDoublingIsOneHundredPercent() throws {
        let r = try XIRR.rate([DatedFlow(date: day("2023-01-01"), amount: -100), DatedFlow(date: day("2024-01-01"), amount: 200)])
        #expect(abs(r - 1) < 1e-12)
    }

    @Test func excelsDocumentedExampleGivesItsRate() throws {
        // Microsoft's XIRR example prints 0.373362535; Excel stops iterating early. The root to full precision
        // (bisection in Python) is 0.37336253351883136.
        let flows = [
            DatedFlow(date: day("2008-01-01"), amount: -10_000), DatedFlow(date: day("2008-03-01"), amount: 2_750),
            DatedFlow(date: day("2008-10-30"), amount: 4_250), DatedFlow(date: day("2009-02-15"), amount: 3_250),
            DatedFlow(date: day("2009-04-01"), amount: 2_750),
        ]
        let r = try XIRR.rate(flows)
        #expect(abs(r - 0.373362535) < 2e-9)
        #expect(abs(r - 0.37336253351883136) < 1e-12)
    }

    @Test(arguments: 1...200)
    func randomFlowsHaveATinyResidualAndMatchBisection(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        // Payments in, then receipts out: one sign change, so exactly one root (Descartes).
        let start = day("2015-01-01")
        var flows: [DatedFlow] = []
        var d = 0
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            flows.append(DatedFlow(date: start.adding(days: d), amount: -Double.random(in: 10...10_000, using: &rng)))
            d += Int.random(in: 0...400, using: &rng)
        }
        let paid = -flows.reduce(0) { $0 + $1.amount }
        let ratio = Double.random(in: 0.3...3, using: &rng)
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            d += Int.random(in: 1...400, using: &rng)
            flows.append(DatedFlow(date: start.adding(days: d), amount: paid * ratio / 2))
        }
        let r = try XIRR.rate(flows)
        #expect(abs(XIRR.residual(flows, rate: r)) < 1e-9, "seed \(seed)")
        let reference = try #require(Self.bisection(flows))
        #expect(abs(r - reference) < 1e-9 * max(1, abs(reference)), "seed \(seed): \(r) vs \(reference)")
    }

    @Test func flowsOfOneSignAreRefusedWithAReason() {
        #expect(throws: QuantError.self) {
            try XIRR.rate([DatedFlow(date: day("2024-01-01"), amount: -1), DatedFlow(date: day("2024-06-01"), amount: -2)])
        }
        #expect(throws: QuantError.self) { try XIRR.rate([]) }
    }

    @Test func aSteepLossThatThrowsNewtonOutOfTheDomainIsFoundByBisection() throws {
        // Half lost in 30 days: r = 0.5^(365/30) − 1 ≈ −0.99978; Newton's first step from 10% lands below −1.
        let flows = [DatedFlow(date: day("2023-01-01"), amount: -1_000), DatedFlow(date: day("2023-01-31"), amount: 500)]
        let r = try XIRR.rate(flows)
        #expect(abs(r - (pow(0.5, 365.0 / 30) - 1)) < 1e-12)
        #expect(abs(XIRR.residual(flows, rate: r)) < 1e-9)
    }

    @Test func thePortfolioXIRROfTheHandLedgerSolvesItsOwnFlows() throws {
        let p = try HandLedger.portfolio()
        let s = try p.performance(DateRange(from: day("2024-01-02"), to: day("2024-03-31")))
        let flows = p.investorFlows(p.dailyValuation(through: day("2024-03-31")), from: day("2024-01-02"), to: day("2024-03-31"))
        #expect(flows == [
            DatedFlow(date: day("2024-01-02"), amount: -10_000), DatedFlow(date: day("2024-03-15"), amount: 2_000),
            DatedFlow(date: day("2024-03-31"), amount: 8_869.25),
        ])
        let xirr = try #require(s.xirr)
        #expect(abs(XIRR.residual(flows, rate: xirr)) < 1e-9)
        #expect(s.netContributions == 8_000 && s.valueEnd == dec("8869.25") && s.valueStart == 0)
        #expect(s.realized == 596 && s.unrealized == 267 && s.unrealizedChange == 267)
    }
}
