import Quant

extension BenchQuantCommand {
    /// Metric items of `bourse bench quant`: the whole `PerformanceReport` (what `quant metrics` prints plus
    /// omega, downside risk and parametric VaR), with and without a benchmark, then each metric alone. The
    /// benchmark series is the returns reversed, prepared outside the timing.
    static var metricItems: [BenchItem] {
        func item(_ name: String, _ work: @escaping @Sendable (_ returns: [Double], _ benchmark: [Double]) throws -> Double?) -> BenchItem {
            BenchItem(name: name) { data in
                let returns = data.returns
                let benchmark = Array(returns.reversed())
                return { ((try? work(returns, benchmark)) ?? nil) ?? .nan }
            }
        }
        return [
            item("metrics.report") { r, _ in try PerformanceReport(returns: r, riskFree: 0.0001).tailRisk.conditionalValueAtRisk },
            item("metrics.report+benchmark") { r, b in try PerformanceReport(returns: r, benchmark: b, riskFree: 0.0001).benchmark?.alpha },
            item("metrics.cumulative_return") { r, _ in try Metrics.cumulativeReturn(r) },
            item("metrics.annual_return") { r, _ in try Metrics.annualReturn(r) },
            item("metrics.annual_volatility") { r, _ in try Metrics.annualVolatility(r) },
            item("metrics.sharpe") { r, _ in try Metrics.sharpeRatio(r, riskFree: 0.0001) },
            item("metrics.sortino") { r, _ in try Metrics.sortinoRatio(r, riskFree: 0.0001) },
            item("metrics.calmar") { r, _ in try Metrics.calmarRatio(r) },
            item("metrics.omega") { r, _ in try Metrics.omegaRatio(r, riskFree: 0.0001) },
            item("metrics.max_drawdown") { r, _ in try Metrics.maxDrawdown(r).depth },
            item("metrics.var_cvar_95") { r, _ in try Metrics.tailRisk(r, level: 0.95).conditionalValueAtRisk },
            item("metrics.parametric_var_95") { r, _ in try Metrics.parametricValueAtRisk(r, level: 0.95) },
            item("metrics.beta_alpha") { r, b in try Metrics.benchmarkExposure(r, benchmark: b).alpha },
            item("metrics.correlation_2x2") { r, b in try Metrics.correlationMatrix([r, b])[0][1] },
            item("metrics.rolling_volatility_63") { r, _ in try Metrics.rollingVolatility(r, window: 63).last },
            item("metrics.rolling_sharpe_63") { r, _ in try Metrics.rollingSharpe(r, window: 63).last ?? nil },
            item("metrics.rolling_beta_63") { r, b in try Metrics.rollingBeta(r, benchmark: b, window: 63).last ?? nil },
        ]
    }
}
