import Foundation
import Quant
import Testing

/// Probabilistic and deflated Sharpe ratios.
///
/// Reference values for the price files were computed with python3 + numpy + scipy from the same CSVs
/// (`r = close[1:] / close[:-1] - 1`):
/// ```
/// sr = r.mean() / r.std(ddof=1); g3 = scipy.stats.skew(r); g4 = scipy.stats.kurtosis(r, fisher=False)
/// psr = scipy.stats.norm.cdf((sr - b) * sqrt(len(r) - 1) / sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2))
/// V = np.var([sr_orcl, sr_nvda, sr_yhoo], ddof=1); N = 3; g = np.euler_gamma
/// sr0 = sqrt(V) * ((1 - g) * norm.ppf(1 - 1/N) + g * norm.ppf(1 - 1/(N * e)));  dsr = psr(r_orcl, b = sr0)
/// ```
@Suite struct SharpeInferenceTests {
    struct PriceCase: Sendable, CustomStringConvertible {
        let file: String
        let psr: Double
        let psrAgainst003: Double
        var description: String { file }
    }

    static let priceCases = [
        PriceCase(file: "orcl-1995-2014.csv", psr: 0.9941346419029025, psrAgainst003: 0.6489540200124932),
        PriceCase(file: "nvda-1999-2014.csv", psr: 0.9886499346287284, psrAgainst003: 0.6413406648050611),
        PriceCase(file: "yhoo-1996-2014.csv", psr: 0.9965761593784404, psrAgainst003: 0.7317461923258826),
    ]

    @Test(arguments: priceCases)
    func probabilisticSharpeMatchesScipyOnPriceFiles(_ reference: PriceCase) throws {
        let returns = try MetricsTestData.closeReturns(reference.file).returns
        expectClose(SharpeInference.probabilisticSharpeRatio(returns: returns), reference.psr, relative: 1e-10, "PSR(0)")
        expectClose(
            SharpeInference.probabilisticSharpeRatio(returns: returns, benchmarkSharpe: 0.03), reference.psrAgainst003,
            relative: 1e-10, "PSR(0.03)")
    }

    @Test func deflatedSharpeMatchesScipyOverThreePriceFiles() throws {
        let files = ["orcl-1995-2014.csv", "nvda-1999-2014.csv", "yhoo-1996-2014.csv"]
        let series = try files.map { try MetricsTestData.closeReturns($0).returns }
        let sharpes = series.map { r in r.reduce(0, +) / Double(r.count) / sampleStd(r) }
        expectClose(sharpes[0], 0.03536802996473873, relative: 1e-12, "ORCL per-period Sharpe")
        expectClose(SharpeInference.deflatedSharpeRatio(returns: series[0], trialSharpes: sharpes), 0.991836402819638, relative: 1e-10, "DSR")
    }

    /// Bailey & López de Prado (2014), "The Deflated Sharpe Ratio", numerical example: N = 100 trials, annualised
    /// V[SR] = 1/2, best annualised SR = 2.5 over T = 1250 daily observations (250 a year), γ3 = −3, γ4 = 10.
    /// The paper de-annualises (SR 2.5/√250 ≈ 0.1581, V 0.5/250), finds SR0 ≈ 0.1132 and DSR ≈ 0.9004.
    @Test func deflatedSharpeReproducesThePaperExample() throws {
        let sr0 = try #require(SharpeInference.expectedMaximumSharpe(trials: 100, variance: 0.5 / 250))
        #expect(abs(sr0 - 0.1132) < 5e-5)
        // scipy: sqrt(V) * ((1 - g) * norm.ppf(0.99) + g * norm.ppf(1 - 1 / (100 e))) = 0.11317200186513214
        expectClose(sr0, 0.11317200186513214, relative: 1e-12, "SR0")
        let dsr = try #require(
            SharpeInference.deflatedSharpeRatio(
                sharpe: 2.5 / 250.0.squareRoot(), observations: 1250, skewness: -3, kurtosis: 10, trials: 100, trialVariance: 0.5 / 250))
        #expect(abs(dsr - 0.9004) < 5e-5)
        expectClose(dsr, 0.9003968344493903, relative: 1e-10, "DSR (scipy)")
    }

    @Test func expectedMaximumSharpeGrowsWithTrialsAndScalesWithDeviation() throws {
        var previous = 0.0
        for trials in [2, 5, 10, 100, 1000, 100_000] {
            let value = try #require(SharpeInference.expectedMaximumSharpe(trials: trials, variance: 1))
            #expect(value > previous)
            previous = value
        }
        let one = try #require(SharpeInference.expectedMaximumSharpe(trials: 50, variance: 1))
        let four = try #require(SharpeInference.expectedMaximumSharpe(trials: 50, variance: 4))
        expectClose(four, 2 * one, relative: 1e-15, "√V scaling")
        #expect(SharpeInference.expectedMaximumSharpe(trials: 1, variance: 1) == nil)
        #expect(SharpeInference.expectedMaximumSharpe(trials: 10, variance: -1) == nil)
    }

    @Test func psrIsOneHalfAtTheObservedSharpeAndFallsAsTheBenchmarkRises() throws {
        let returns = try MetricsTestData.closeReturns("orcl-1995-2014.csv").returns
        let sharpe = returns.reduce(0, +) / Double(returns.count) / sampleStd(returns)
        expectClose(SharpeInference.probabilisticSharpeRatio(returns: returns, benchmarkSharpe: sharpe), 0.5, relative: 1e-12, "PSR(SR)")
        var previous = 1.0
        for benchmark in stride(from: -0.05, through: 0.1, by: 0.01) {
            let value = try #require(SharpeInference.probabilisticSharpeRatio(returns: returns, benchmarkSharpe: benchmark))
            #expect(value < previous)
            previous = value
        }
    }

    @Test func psrOfNormalStatisticsIsTheTextbookZTest() {
        // Normal returns (γ3 = 0, γ4 = 3): z = SR √(n−1) / √(1 + SR²/2); SR 0.1, n 101 → z = 1/√1.005.
        let z = 1 / 1.005.squareRoot()
        expectClose(
            SharpeInference.probabilisticSharpeRatio(sharpe: 0.1, observations: 101, skewness: 0, kurtosis: 3), 0.5 * erfc(-z / 2.0.squareRoot()),
            relative: 1e-14, "PSR")
    }

    @Test func psrIsUndefinedForShortConstantOrDegenerateInputs() {
        #expect(SharpeInference.probabilisticSharpeRatio(returns: [0.01, 0.02]) == nil)
        #expect(SharpeInference.probabilisticSharpeRatio(returns: [0.01, 0.01, 0.01, 0.01]) == nil)
        #expect(SharpeInference.probabilisticSharpeRatio(returns: [0.01, .nan, 0.02]) == nil)
        // 1 − γ3·SR + (γ4 − 1)/4·SR² = 1 − 5 + 0.5 < 0.
        #expect(SharpeInference.probabilisticSharpeRatio(sharpe: 1, observations: 100, skewness: 5, kurtosis: 3) == nil)
        #expect(SharpeInference.deflatedSharpeRatio(returns: [0.01, -0.02, 0.03], trialSharpes: [0.1]) == nil)
    }

    private func sampleStd(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    }
}
