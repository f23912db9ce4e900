import Foundation
import Quant
import Testing

@Suite("Metrics edge cases")
struct MetricsEdgeCaseTests {
    @Test func everyMetricRejectsAnEmptySeries() {
        let empty: [Double] = []
        let error = QuantError.empty("returns")
        #expect(throws: error) { try PerformanceReport(returns: empty) }
        #expect(throws: error) { try Metrics.cumulativeReturn(empty) }
        #expect(throws: error) { try Metrics.annualReturn(empty) }
        #expect(throws: error) { try Metrics.annualVolatility(empty) }
        #expect(throws: error) { try Metrics.sharpeRatio(empty) }
        #expect(throws: error) { try Metrics.sortinoRatio(empty) }
        #expect(throws: error) { try Metrics.calmarRatio(empty) }
        #expect(throws: error) { try Metrics.omegaRatio(empty) }
        #expect(throws: error) { try Metrics.maxDrawdown(empty) }
        #expect(throws: error) { try Metrics.valueAtRisk(empty) }
        #expect(throws: error) { try Metrics.parametricValueAtRisk(empty) }
        #expect(throws: error) { try Metrics.benchmarkExposure(empty, benchmark: empty) }
        #expect(throws: error) { try Metrics.rollingVolatility(empty, window: 2) }
    }

    @Test func aSingleReturnHasAGrowthAndATailButNoDispersionMetric() throws {
        let report = try PerformanceReport(returns: [-0.05])
        expectClose(report.cumulativeReturn, -0.05, relative: 1e-12, "cumulative")
        expectClose(report.annualReturn, pow(0.95, 252) - 1, relative: 1e-12, "annual")
        #expect(report.annualVolatility == nil && report.sharpe == nil && report.sortino == nil && report.omega == nil)
        #expect(report.parametricValueAtRisk == nil)
        #expect(report.tailRisk.valueAtRisk == -0.05 && report.tailRisk.conditionalValueAtRisk == -0.05)
        expectClose(report.maxDrawdown.depth, -0.05, relative: 1e-12, "drawdown")
        #expect(report.maxDrawdown.episode == .init(peak: 0, trough: 1, recovery: nil, length: 1))
        expectClose(report.calmar, (pow(0.95, 252) - 1) / 0.05, relative: 1e-12, "calmar")
        let withBenchmark = try PerformanceReport(returns: [0.01], benchmark: [0.02])
        #expect(withBenchmark.benchmark == BenchmarkExposure(beta: nil, alpha: nil))
    }

    @Test func constantReturnsHaveZeroVolatilityAndNoSharpeSortinoOrCalmar() throws {
        let report = try PerformanceReport(returns: [Double](repeating: 0.001, count: 50))
        #expect(report.annualVolatility == 0)
        #expect(report.sharpe == nil)
        #expect(report.sortino == nil)  // nothing below the risk-free rate: zero downside risk
        #expect(report.calmar == nil)  // never below a peak
        #expect(report.omega == nil)
        #expect(report.maxDrawdown == Drawdown(depth: 0, episode: nil))
        expectClose(report.parametricValueAtRisk, 0.001, relative: 1e-12, "parametric VaR of a constant is the constant")
        // Constant losses do have a downside, a drawdown and so a Sortino and Calmar ratio.
        let losing = try PerformanceReport(returns: [Double](repeating: -0.001, count: 50))
        #expect(losing.sharpe == nil)
        #expect(try #require(losing.sortino) < 0)
        #expect(try #require(losing.calmar) < 0)
        #expect(try Metrics.beta([0.01, 0.02, 0.03], benchmark: [0.01, 0.01, 0.01]) == nil)
    }

    @Test func nonFiniteValuesAndLossesBeyondEverythingAreRejectedWithTheirIndex() {
        #expect(throws: QuantError.nonFinite("returns", index: 2)) { try PerformanceReport(returns: [0.01, 0.02, .nan, 0.01]) }
        #expect(throws: QuantError.nonFinite("returns", index: 0)) { try Metrics.sharpeRatio([.infinity, 0.01]) }
        #expect(throws: QuantError.nonFinite("benchmark", index: 1)) {
            try PerformanceReport(returns: [0.01, 0.02], benchmark: [0.01, -.infinity])
        }
        #expect(throws: QuantError.invalidParameter("returns[1]", -1.5, "a simple return cannot be below -1")) {
            try Metrics.maxDrawdown([0.01, -1.5])
        }
    }

    @Test func aBenchmarkOfAnotherLengthIsRejected() {
        #expect(throws: QuantError.lengthMismatch("benchmark", 2, "returns", 3)) {
            try PerformanceReport(returns: [0.01, 0.02, 0.03], benchmark: [0.01, 0.02])
        }
        #expect(throws: QuantError.lengthMismatch("benchmark", 4, "returns", 3)) {
            try Metrics.beta([0.01, 0.02, 0.03], benchmark: [0.01, 0.02, 0.03, 0.04])
        }
    }

    @Test(arguments: [0.0, 1.0, 1.5, -0.1, .nan])
    func aLevelOutsideZeroToOneIsRejected(level: Double) {
        #expect(throws: QuantError.self) { try Metrics.valueAtRisk([0.01, 0.02], level: level) }
        #expect(throws: QuantError.self) { try Metrics.parametricValueAtRisk([0.01, 0.02], level: level) }
        #expect(throws: QuantError.self) { try PerformanceReport(returns: [0.01, 0.02], level: level) }
    }

    @Test func parametersOutOfRangeAreRejected() {
        #expect(throws: QuantError.invalidParameter("periodsPerYear", 0.0, "must be a positive finite number")) {
            try Metrics.annualReturn([0.01], periodsPerYear: 0)
        }
        #expect(throws: QuantError.invalidParameter("riskFree", Double.nan, "must be a finite return above -1")) {
            try PerformanceReport(returns: [0.01], riskFree: .nan)
        }
        #expect(throws: QuantError.self) { try Metrics.omegaRatio([0.01, 0.02], requiredReturn: -1) }
    }

    @Test func aTotalLossEndsAtMinusOneEverywhere() throws {
        let report = try PerformanceReport(returns: [0.1, -1, 0.5])
        #expect(report.cumulativeReturn == -1)
        #expect(report.annualReturn == -1)
        #expect(report.maxDrawdown.depth == -1)
        #expect(report.maxDrawdown.episode == .init(peak: 1, trough: 2, recovery: nil, length: 2))
    }

    @Test func growthBeyondTheRangeOfDoubleIsAnErrorNotInfinity() {
        #expect(throws: QuantError.self) { try PerformanceReport(returns: [Double](repeating: 1, count: 1_100)) }
        #expect(throws: QuantError.self) { try Metrics.cumulativeReturn([Double](repeating: 1, count: 1_100)) }
    }

    @Test func drawdownRecoveryIsTheFirstPointBackAtThePeak() throws {
        // Wealth: 1, 1.1, 0.99, 1.089, 1.1979 -> peak 1 (1.1), trough 2, recovered at 4.
        let drawdown = try Metrics.maxDrawdown([0.1, -0.1, 0.1, 0.1])
        expectClose(drawdown.depth, -0.1, relative: 1e-12, "depth")
        #expect(drawdown.episode == .init(peak: 1, trough: 2, recovery: 4, length: 3))
    }

    @Test func simpleReturnsNeedTwoPositiveFinitePrices() throws {
        #expect(try Metrics.simpleReturns(prices: [100, 110, 99]) == [110.0 / 100 - 1, 99.0 / 110 - 1])
        #expect(throws: QuantError.empty("prices")) { try Metrics.simpleReturns(prices: []) }
        #expect(throws: QuantError.self) { try Metrics.simpleReturns(prices: [100]) }
        #expect(throws: QuantError.invalidParameter("prices[1]", 0.0, "a price must be positive")) {
            try Metrics.simpleReturns(prices: [100, 0, 5])
        }
        #expect(throws: QuantError.nonFinite("prices", index: 2)) { try Metrics.simpleReturns(prices: [100, 1, .nan]) }
    }

    @Test func alignByDateKeepsCommonDatesInOrderAndRejectsRepeatedDates() throws {
        let aligned = try Metrics.alignByDate(
            dates: ["d1", "d2", "d3", "d5"], prices: [1, 2, 3, 5], benchmarkDates: ["d0", "d2", "d3", "d4", "d5"], benchmarkPrices: [10, 20, 30, 40, 50])
        #expect(aligned == AlignedPrices(dates: ["d2", "d3", "d5"], prices: [2, 3, 5], benchmark: [20, 30, 50]))
        #expect(throws: QuantError.invalidParameter("benchmark date", "d2", "appears more than once")) {
            try Metrics.alignByDate(dates: ["d1"], prices: [1], benchmarkDates: ["d2", "d2"], benchmarkPrices: [1, 2])
        }
    }
}
