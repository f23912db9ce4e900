import Foundation
import Quant
import Testing

@Suite("Metrics properties")
struct MetricsPropertyTests {
    @Test(arguments: 1...20)
    func maxDrawdownLiesBetweenMinusOneAndZero(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let r = rng.returns(Int.random(in: 1...400, using: &rng), spread: 0.2)
        let drawdown = try Metrics.maxDrawdown(r)
        #expect(drawdown.depth <= 0 && drawdown.depth >= -1)
        if let episode = drawdown.episode {
            #expect(episode.peak < episode.trough)
            #expect(episode.recovery.map { $0 > episode.trough } ?? true)
            #expect(episode.length == (episode.recovery ?? r.count) - episode.peak)
        } else {
            #expect(drawdown.depth == 0)
        }
    }

    @Test(arguments: 1...10)
    func valueAtRiskFallsAsTheLevelRisesAndShortfallIsNeverAboveIt(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let r = rng.returns(Int.random(in: 2...2_000, using: &rng))
        var previous = (historical: Double.infinity, parametric: Double.infinity)
        for level in stride(from: 0.5, through: 0.995, by: 0.005) {
            let tail = try Metrics.tailRisk(r, level: level)
            let parametric = try #require(try Metrics.parametricValueAtRisk(r, level: level))
            #expect(tail.valueAtRisk <= previous.historical, "level \(level)")
            #expect(parametric <= previous.parametric, "level \(level)")
            #expect(tail.conditionalValueAtRisk <= tail.valueAtRisk, "level \(level)")
            #expect(tail.valueAtRisk >= r.min()! && tail.valueAtRisk <= r.max()!)
            previous = (tail.valueAtRisk, parametric)
        }
    }

    @Test(arguments: 1...10)
    func orderFreeMetricsDoNotChangeWhenTheReturnsAreShuffled(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let r = rng.returns(1_001)
        let shuffled = r.shuffled(using: &rng)
        let a = try PerformanceReport(returns: r, riskFree: 0.0002), b = try PerformanceReport(returns: shuffled, riskFree: 0.0002)
        #expect(a.tailRisk.valueAtRisk == b.tailRisk.valueAtRisk)  // the same order statistics: bit-identical
        expectClose(b.tailRisk.conditionalValueAtRisk, a.tailRisk.conditionalValueAtRisk, relative: 1e-13, "CVaR")
        expectClose(b.annualVolatility, a.annualVolatility, relative: 1e-12, "volatility")
        expectClose(b.sharpe, a.sharpe, relative: 1e-12, "sharpe")
        expectClose(b.sortino, a.sortino, relative: 1e-12, "sortino")
        expectClose(b.omega, a.omega, relative: 1e-12, "omega")
        expectClose(b.parametricValueAtRisk, a.parametricValueAtRisk, relative: 1e-12, "parametric VaR")
        expectClose(b.cumulativeReturn, a.cumulativeReturn, relative: 1e-12, "cumulative return")
    }

    @Test func maxDrawdownDependsOnTheOrderOfReturns() throws {
        // Same three returns: a gain between the losses halves the fall.
        expectClose(try Metrics.maxDrawdown([-0.1, 0.1, -0.1]).depth, 0.9 * 1.1 * 0.9 / 1 - 1, relative: 1e-12, "interleaved")
        expectClose(try Metrics.maxDrawdown([-0.1, -0.1, 0.1]).depth, -0.19, relative: 1e-12, "losses together")
        var rng = SeededRandom(seed: 99)
        let r = rng.returns(300)
        let depths = try (0..<10).map { _ in try Metrics.maxDrawdown(r.shuffled(using: &rng)).depth }
        #expect(Set(depths).count > 1)
    }

    @Test(arguments: 1...5)
    func sharpeAndVolatilityScaleWithTheSquareRootOfPeriodsPerYear(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let r = rng.returns(250)
        let daily = try #require(try Metrics.sharpeRatio(r, riskFree: 0.0001, periodsPerYear: 252))
        let monthly = try #require(try Metrics.sharpeRatio(r, riskFree: 0.0001, periodsPerYear: 12))
        expectClose(daily / monthly, 21.0.squareRoot(), relative: 1e-13, "Sharpe ratio")
        let volatility = try #require(try Metrics.annualVolatility(r, periodsPerYear: 252))
        let weekly = try #require(try Metrics.annualVolatility(r, periodsPerYear: 52))
        expectClose(volatility / weekly, (252.0 / 52).squareRoot(), relative: 1e-13, "volatility")
    }

    @Test(arguments: [(0.01, 1), (0.001, 252), (-0.02, 60), (0.0005, 5_000)])
    func aConstantReturnCompoundsToOnePlusRToTheN(r: Double, n: Int) throws {
        let returns = [Double](repeating: r, count: n)
        expectClose(try Metrics.cumulativeReturn(returns), pow(1 + r, Double(n)) - 1, relative: 1e-11, "cumulative")
        expectClose(try Metrics.annualReturn(returns, periodsPerYear: 252), pow(1 + r, 252) - 1, relative: 1e-10, "annual")
    }

    @Test(arguments: 1...5)
    func omegaExceedsOneExactlyWhenTheMeanBeatsTheThreshold(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let r = rng.returns(100)
        let mean = r.reduce(0, +) / Double(r.count)
        for riskFree in [mean - 0.001, mean + 0.001] {
            let omega = try #require(try Metrics.omegaRatio(r, riskFree: riskFree))
            #expect((omega > 1) == (mean > riskFree))
        }
    }

    @Test func betaOfAnAffineCopyIsItsSlopeAndASeriesHasNoAlphaAgainstItself() throws {
        var rng = SeededRandom(seed: 3)
        let b = rng.returns(500)
        let exposure = try Metrics.benchmarkExposure(b.map { 2 * $0 + 0.0001 }, benchmark: b)
        expectClose(exposure.beta, 2, relative: 1e-12, "beta")
        expectClose(exposure.alpha, pow(1.0001, 252) - 1, relative: 1e-9, "alpha of the constant excess")
        let own = try Metrics.benchmarkExposure(b, benchmark: b, riskFree: 0.0003)
        expectClose(own.beta, 1, relative: 1e-12, "own beta")
        expectClose(own.alpha, 0, absolute: 1e-12, "own alpha")
    }

    @Test(arguments: 1...5)
    func reportAgreesWithEveryStandaloneFunction(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let r = rng.returns(777), b = rng.returns(777)
        let report = try PerformanceReport(returns: r, benchmark: b, periodsPerYear: 52, riskFree: 0.0004, level: 0.975)
        #expect(report.cumulativeReturn == (try Metrics.cumulativeReturn(r)))
        #expect(report.annualReturn == (try Metrics.annualReturn(r, periodsPerYear: 52)))
        #expect(report.annualVolatility == (try Metrics.annualVolatility(r, periodsPerYear: 52)))
        expectClose(report.sharpe, try Metrics.sharpeRatio(r, riskFree: 0.0004, periodsPerYear: 52), relative: 1e-14, "sharpe")
        expectClose(report.sortino, try Metrics.sortinoRatio(r, riskFree: 0.0004, periodsPerYear: 52), relative: 1e-14, "sortino")
        expectClose(report.calmar, try Metrics.calmarRatio(r, periodsPerYear: 52), relative: 1e-14, "calmar")
        expectClose(report.omega, try Metrics.omegaRatio(r, riskFree: 0.0004, periodsPerYear: 52), relative: 1e-14, "omega")
        #expect(report.maxDrawdown == (try Metrics.maxDrawdown(r)))
        #expect(report.tailRisk == (try Metrics.tailRisk(r, level: 0.975)))
        expectClose(report.parametricValueAtRisk, try Metrics.parametricValueAtRisk(r, level: 0.975), relative: 1e-14, "parametric")
        let exposure = try Metrics.benchmarkExposure(r, benchmark: b, riskFree: 0.0004, periodsPerYear: 52)
        expectClose(report.benchmark?.beta, exposure.beta, relative: 1e-14, "beta")
        expectClose(report.benchmark?.alpha, exposure.alpha, relative: 1e-14, "alpha")
    }

    @Test func selectionAgreesWithSortingOnTiesSortedAndReversedInput() throws {
        var rng = SeededRandom(seed: 11)
        let constant = [Double](repeating: 0.01, count: 1_000)
        let ascending: [Double] = (0..<5_000).map { Double($0) * 1e-5 }
        let descending: [Double] = ascending.reversed()
        let fewDistinct: [Double] = (0..<4_000).map { _ in Double(Int.random(in: -3...3, using: &rng)) / 100 }
        // Long enough for the sampled threshold of `Metrics.tailRisk`: random, ordered both ways, and strided so
        // the sample sees only the smallest tenth (the threshold then fails and it falls back to a full copy).
        let long = rng.returns(100_000)
        let longAscending: [Double] = (0..<50_000).map { Double($0) * 1e-6 }
        let longDescending: [Double] = longAscending.reversed()
        let strided: [Double] = (0..<40_960).map { i -> Double in i % 10 == 0 ? -0.5 - Double(i) * 1e-9 : Double(i) * 1e-9 }
        let inputs = [constant, ascending, descending, fewDistinct, long, longAscending, longDescending, strided]
        for r in inputs {
            let sorted = r.sorted()
            for level in [0.5, 0.9, 0.95, 0.99] {
                let position = Double(r.count - 1) * (1 - level), k = Int(position)
                let t = position - Double(k)
                let upper = sorted[min(k + 1, r.count - 1)]
                let expected = t >= 0.5 ? upper - (upper - sorted[k]) * (1 - t) : sorted[k] + (upper - sorted[k]) * t
                let tail = try Metrics.tailRisk(r, level: level)
                #expect(tail.valueAtRisk == expected)
                expectClose(tail.conditionalValueAtRisk, sorted[0...k].reduce(0, +) / Double(k + 1), relative: 1e-12, "CVaR")
            }
        }
    }

    /// Φ⁻¹ reference values from scipy.stats.norm.ppf, through the parametric VaR of {-0.01, 0.01}
    /// (mean 0, sample deviation sqrt(2e-4)).
    @Test(arguments: [(0.999, -3.090232306167813), (0.99, -2.3263478740408408), (0.975, -1.9599639845400545),
                      (0.95, -1.6448536269514729), (0.3, 0.5244005127080407), (0.5, 0.0), (0.05, 1.6448536269514722)])
    func parametricValueAtRiskUsesTheNormalQuantile(level: Double, z: Double) throws {
        let std = 2e-4.squareRoot()
        expectClose(try Metrics.parametricValueAtRisk([-0.01, 0.01], level: level), z * std, relative: 1e-13, absolute: 1e-17, "level \(level)")
    }
}
