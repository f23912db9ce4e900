import Foundation
import Quant
import Testing

@Suite("Portfolio rebalancer")
struct PortfolioRebalancerTests {
    struct Case {
        var prices: [Double], holdings: [Int], targets: [Decimal], cashTarget: Decimal, cash: Double
        var fee: Double, minTrade: Double, reserve: Double, buyOnly: Bool
    }

    /// Every whole-share trade vector in the box, scored independently of the library.
    static func exhaustive(_ c: Case) -> (objective: Double, shares: Int)? {
        let n = c.prices.count
        let total = c.cash + (0..<n).reduce(0.0) { $0 + Double(c.holdings[$1]) * c.prices[$1] }
        let ranges = (0..<n).map { i in (c.buyOnly ? 0 : -c.holdings[i])...Int((total / c.prices[i]).rounded(.down)) }
        var best: (objective: Double, shares: Int)?
        var deltas = [Int](repeating: 0, count: n)
        func visit(_ i: Int) {
            if i == n {
                let traded = deltas.filter { $0 != 0 }.count
                for (k, d) in deltas.enumerated() where d != 0 && Double(abs(d)) * c.prices[k] < c.minTrade { return }
                let cashAfter = c.cash - (0..<n).reduce(0.0) { $0 + Double(deltas[$1]) * c.prices[$1] } - c.fee * Double(traded)
                guard cashAfter >= c.reserve - 1e-9 else { return }
                let value = cashAfter + (0..<n).reduce(0.0) { $0 + Double(c.holdings[$1] + deltas[$1]) * c.prices[$1] }
                var f = pow(cashAfter / value - NSDecimalNumber(decimal: c.cashTarget).doubleValue, 2)
                for k in 0..<n {
                    f += pow(Double(c.holdings[k] + deltas[k]) * c.prices[k] / value - NSDecimalNumber(decimal: c.targets[k]).doubleValue, 2)
                }
                let shares = deltas.reduce(0) { $0 + abs($1) }
                if best == nil || f < best!.objective - 1e-12 || abs(f - best!.objective) <= 1e-12 && shares < best!.shares {
                    best = (f, shares)
                }
                return
            }
            for d in ranges[i] {
                deltas[i] = d
                visit(i + 1)
            }
        }
        visit(0)
        return best
    }

    static func randomCase(seed: UInt64) -> Case {
        var rng = SplitMix64(seed: seed)
        let n = Int.random(in: 1...3, using: &rng)
        let prices = (0..<n).map { _ in Double(Int.random(in: 500...6_000, using: &rng)) / 100 }
        let holdings = (0..<n).map { _ in Int.random(in: 0...6, using: &rng) }
        var cuts = (0..<n).map { _ in Int.random(in: 0...100, using: &rng) }.sorted()
        cuts.append(100)
        var previous = 0
        var weights: [Decimal] = []
        for c in cuts {
            weights.append(Decimal(c - previous) / 100)
            previous = c
        }
        return Case(
            prices: prices, holdings: holdings, targets: Array(weights.prefix(n)), cashTarget: weights[n],
            cash: Double(Int.random(in: 0...20_000, using: &rng)) / 100,
            fee: [0, 0, 1, 2.5].randomElement(using: &rng)!, minTrade: [0, 0, 10, 40].randomElement(using: &rng)!,
            reserve: [0, 0, 5, 30].randomElement(using: &rng)!, buyOnly: Int.random(in: 0..<4, using: &rng) == 0)
    }

    static func plan(_ c: Case) throws -> RebalancePlan {
        let symbols = (0..<c.prices.count).map { "S\($0)" }
        func dec(_ x: Double) -> Decimal { Decimal(string: String(x))! }
        return try Rebalancer.plan(
            holdings: Dictionary(uniqueKeysWithValues: zip(symbols, c.holdings.map { Decimal($0) })),
            prices: Dictionary(uniqueKeysWithValues: zip(symbols, c.prices.map(dec))), cash: dec(c.cash),
            targets: Dictionary(uniqueKeysWithValues: zip(symbols, c.targets)), cashTarget: c.cashTarget,
            options: RebalanceOptions(minTrade: dec(c.minTrade), feePerTrade: dec(c.fee), cashReserve: dec(c.reserve), investNewCashOnly: c.buyOnly))
    }

    @Test(arguments: 1...150)
    func wholeSharePlansMatchExhaustiveSearch(seed: UInt64) throws {
        let c = Self.randomCase(seed: seed)
        let reference = Self.exhaustive(c)
        guard let reference else {
            #expect(throws: QuantError.self) { try Self.plan(c) }
            return
        }
        let plan = try Self.plan(c)
        #expect(abs(plan.objective - reference.objective) <= 1e-11, "seed \(seed): \(plan.objective) vs \(reference.objective) \(c)")
        #expect(plan.sharesTraded == Decimal(reference.shares), "seed \(seed): \(plan.trades) vs \(reference.shares) shares")
        #expect(plan.cash >= Decimal(string: String(c.reserve))!)
        if c.buyOnly { #expect(plan.trades.allSatisfy { $0.quantity > 0 }) }
    }

    @Test func newCashIsSpentOnTheMostUnderweightSymbolInWholeShares() throws {
        // 1000 in A (price 10), 0 in B (price 25), 500 new cash; targets 50/50. The continuous optimum buys 20 B
        // and 25 A... only 500 to spend: 20 B (500) gives A 1000, B 500; best whole plan with no cash left.
        let plan = try Rebalancer.plan(
            holdings: ["A": 100], prices: ["A": 10, "B": 25], cash: 500, targets: ["A": dec("0.5"), "B": dec("0.5")], cashTarget: 0,
            options: RebalanceOptions(investNewCashOnly: true))
        #expect(plan.trades == [RebalancePlan.Trade(symbol: "B", quantity: 20, value: 500)])
        #expect(plan.cash == 0 && plan.holdings == ["A": 100, "B": 20])
    }

    @Test func fractionalPlansHitTheTargetsExactlyWithoutFees() throws {
        let plan = try Rebalancer.plan(
            holdings: ["A": 10, "B": 0], prices: ["A": 100, "B": 40], cash: 0, targets: ["A": dec("0.6"), "B": dec("0.3")], cashTarget: dec("0.1"),
            options: RebalanceOptions(wholeShares: false))
        #expect(plan.objective < 1e-20)
        #expect(abs(plan.weights["B"]! - 0.3) < 1e-12 && abs(plan.cashWeight - 0.1) < 1e-12)
    }

    @Test func targetsThatDoNotSumToOneAreRefused() {
        #expect(throws: QuantError.self) {
            try Rebalancer.plan(holdings: [:], prices: ["A": 1], cash: 10, targets: ["A": dec("0.5")], cashTarget: dec("0.4"))
        }
    }
}
