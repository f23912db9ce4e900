import Foundation

/// Statistical inference on Sharpe ratios: is an observed Sharpe ratio distinguishable from a benchmark, and is it
/// still after the number of strategies tried is accounted for?
///
/// Every Sharpe ratio here is **per period and not annualised**: `mean(r) / std(r, ddof=1)` of the raw returns (no
/// risk-free rate is subtracted; pass excess returns if one should be). Convert an annualised Sharpe `SR_a` of data
/// sampled `q` times a year with `SR_a / √q`, and an annualised variance of Sharpe estimates with `V_a / q`.
public enum SharpeInference {
    /// Probabilistic Sharpe ratio (Bailey & López de Prado 2012, "The Sharpe Ratio Efficient Frontier", eq. 9):
    /// the probability that the true Sharpe ratio exceeds `benchmarkSharpe`,
    /// `Φ( (SR − SR*) √(n−1) / √(1 − γ3·SR + (γ4 − 1)/4 · SR²) )`.
    ///
    /// `SR = mean / std(ddof=1)` per period; γ3 is the skewness `m3 / m2^1.5` and γ4 the **raw** (non-excess,
    /// normal = 3) kurtosis `m4 / m2²`, both from the biased central moments `m_k = mean((r − mean)^k)`
    /// (scipy's `skew(bias=True)` and `kurtosis(fisher=False, bias=True)`). QuantConnect Lean's
    /// `ProbabilisticSharpeRatio` passes the excess kurtosis into the same formula; we follow the paper.
    ///
    /// - Returns: `nil` below three returns, for a constant series, or when the radicand is not positive.
    public static func probabilisticSharpeRatio(returns: [Double], benchmarkSharpe: Double = 0) -> Double? {
        guard let shape = ReturnShape(returns) else { return nil }
        return probabilisticSharpeRatio(
            sharpe: shape.sharpe, observations: returns.count, skewness: shape.skewness, kurtosis: shape.kurtosis,
            benchmarkSharpe: benchmarkSharpe)
    }

    /// Probabilistic Sharpe ratio from its sufficient statistics: per-period `sharpe`, the number of `observations`
    /// n, `skewness` γ3 and **raw** `kurtosis` γ4 (3 for a normal distribution). See
    /// ``probabilisticSharpeRatio(returns:benchmarkSharpe:)`` for the formula.
    ///
    /// - Returns: `nil` when n < 3, an input is not finite, or `1 − γ3·SR + (γ4 − 1)/4 · SR²` is not positive.
    public static func probabilisticSharpeRatio(
        sharpe: Double, observations: Int, skewness: Double, kurtosis: Double, benchmarkSharpe: Double = 0
    ) -> Double? {
        guard observations >= 3, sharpe.isFinite, skewness.isFinite, kurtosis.isFinite, benchmarkSharpe.isFinite else {
            return nil
        }
        let radicand = 1 - skewness * sharpe + (kurtosis - 1) / 4 * sharpe * sharpe
        guard radicand > 0 else { return nil }
        let z = (sharpe - benchmarkSharpe) * Double(observations - 1).squareRoot() / radicand.squareRoot()
        return StandardNormal.cdf(z)
    }

    /// Euler–Mascheroni constant γ.
    static let eulerMascheroni = 0.577_215_664_901_532_860_6

    /// Expected maximum of `trials` independent per-period Sharpe estimates whose true value is 0 and whose
    /// variance across trials is `variance` (Bailey & López de Prado 2014, "The Deflated Sharpe Ratio", eq. 2):
    /// `SR0 = √V · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)))`, γ the Euler–Mascheroni constant.
    ///
    /// - Returns: `nil` when `trials < 2` (Φ⁻¹(0) is −∞) or `variance` is negative or not finite.
    public static func expectedMaximumSharpe(trials: Int, variance: Double) -> Double? {
        guard trials >= 2, variance.isFinite, variance >= 0 else { return nil }
        let n = Double(trials)
        let g = eulerMascheroni
        let spread = (1 - g) * StandardNormal.quantile(1 - 1 / n) + g * StandardNormal.quantile(1 - 1 / (n * M_E))
        return variance.squareRoot() * spread
    }

    /// Deflated Sharpe ratio (Bailey & López de Prado 2014): the probabilistic Sharpe ratio of the selected
    /// strategy's `returns` against the benchmark ``expectedMaximumSharpe(trials:variance:)``, where N is
    /// `trialSharpes.count` and V the sample variance (ddof 1) of `trialSharpes`, the **per-period** Sharpe ratios
    /// of every configuration tried (the selected one included).
    ///
    /// - Returns: `nil` when the PSR is undefined (see ``probabilisticSharpeRatio(returns:benchmarkSharpe:)``), with
    ///   fewer than two trials, or when a trial Sharpe is not finite.
    public static func deflatedSharpeRatio(returns: [Double], trialSharpes: [Double]) -> Double? {
        guard trialSharpes.count >= 2, trialSharpes.allSatisfy(\.isFinite), let shape = ReturnShape(returns) else { return nil }
        let moments = Moments(trialSharpes)
        let variance = moments.isConstant ? 0 : moments.sumOfSquares / Double(trialSharpes.count - 1)
        return deflatedSharpeRatio(
            sharpe: shape.sharpe, observations: returns.count, skewness: shape.skewness, kurtosis: shape.kurtosis,
            trials: trialSharpes.count, trialVariance: variance)
    }

    /// Deflated Sharpe ratio from its sufficient statistics: per-period `sharpe`, `observations`, `skewness`, **raw**
    /// `kurtosis`, the number of `trials` N and the variance V of the trials' per-period Sharpe ratios.
    /// The paper's example (annualised SR 2.5, V 0.5 annualised, 250 days a year, T 1250, γ3 −3, γ4 10, N 100) is
    /// `sharpe: 2.5 / √250, trialVariance: 0.5 / 250` and gives 0.9004.
    ///
    /// - Returns: `nil` when ``expectedMaximumSharpe(trials:variance:)`` or the PSR is undefined.
    public static func deflatedSharpeRatio(
        sharpe: Double, observations: Int, skewness: Double, kurtosis: Double, trials: Int, trialVariance: Double
    ) -> Double? {
        guard let benchmark = expectedMaximumSharpe(trials: trials, variance: trialVariance) else { return nil }
        return probabilisticSharpeRatio(
            sharpe: sharpe, observations: observations, skewness: skewness, kurtosis: kurtosis, benchmarkSharpe: benchmark)
    }
}

/// Per-period Sharpe ratio, skewness and raw kurtosis of a return series (see
/// ``SharpeInference/probabilisticSharpeRatio(returns:benchmarkSharpe:)`` for the conventions).
struct ReturnShape {
    let sharpe: Double
    let skewness: Double
    let kurtosis: Double

    /// `nil` below three values, for a non-finite value or a constant series.
    init?(_ returns: [Double]) {
        let n = returns.count
        guard n >= 3, returns.allSatisfy(\.isFinite) else { return nil }
        let moments = Moments(returns)
        guard let std = moments.sampleStandardDeviation, std > 0 else { return nil }
        var m3 = 0.0, m4 = 0.0
        for r in returns {
            let d = r - moments.mean
            let d2 = d * d
            m3 += d2 * d
            m4 += d2 * d2
        }
        let m2 = moments.sumOfSquares / Double(n)
        m3 /= Double(n)
        m4 /= Double(n)
        sharpe = moments.mean / std
        skewness = m3 / (m2 * m2.squareRoot())
        kurtosis = m4 / (m2 * m2)
    }
}
