import Foundation

/// Summary statistics of a run. Return-based figures come from `PerformanceReport` over the equity curve's
/// simple returns `r[t] = equity[t] / equity[t−1] − 1` with `equity[−1] = initialCash` (one return per bar),
/// with the settings' `periodsPerYear` and per-period `riskFree`. Trade figures use closed trades only.
/// Undefined values are `nil`. See docs/backtesting.md for every definition.
public struct BacktestStatistics: Sendable, Hashable, Codable {
    public let start: String
    public let end: String
    /// Calendar days from `start` to `end`.
    public let durationDays: Int
    /// Share of bars (0...1) that end with any position.
    public let exposure: Double
    public let equityFinal: Double
    public let equityPeak: Double
    /// `equityFinal / initialCash − 1`.
    public let totalReturn: Double
    /// Compound annual growth over `bars / periodsPerYear` years.
    public let annualReturn: Double
    /// Equal-weight buy and hold: the mean over symbols of `last close / first close − 1`, each symbol from the
    /// close of its own first bar (no costs).
    public let buyAndHoldReturn: Double
    public let annualVolatility: Double?
    public let sharpe: Double?
    public let sortino: Double?
    public let calmar: Double?
    public let omega: Double?
    /// Probabilistic Sharpe ratio against 0 of the per-period excess returns (`SharpeInference`).
    public let probabilisticSharpe: Double?
    /// Deepest drawdown (≤ 0) and its length in bars from peak to recovery (or to the end).
    public let maxDrawdown: Double
    public let maxDrawdownDuration: Int
    /// Mean depth and mean length (bars) of all drawdown episodes (a fall below a peak until the next new peak
    /// or the end); 0 without any.
    public let averageDrawdown: Double
    public let averageDrawdownDuration: Double
    /// Longest episode in bars.
    public let longestDrawdownDuration: Int
    public let tradeCount: Int
    public let openTradeCount: Int
    /// Share of closed trades with a positive P&L.
    public let winRate: Double?
    public let bestTrade: Double?
    public let worstTrade: Double?
    /// Mean of closed trades' returns.
    public let averageTrade: Double?
    /// Gross profit / gross loss of closed trades' P&L; `nil` without a losing trade.
    public let profitFactor: Double?
    /// Mean P&L per closed trade, in money.
    public let expectancy: Double?
    /// Van Tharp's System Quality Number over trade returns: `√min(N, 100) · mean / std(ddof=1)`.
    public let sqn: Double?
    /// Kelly fraction `W − (1 − W) / R`, R = mean winning P&L / |mean losing P&L|.
    public let kelly: Double?
    public let totalFees: Double
    /// Σ |qty × price| of every fill / mean equity.
    public let turnover: Double
    public let alpha: Double?
    public let beta: Double?

    init(
        bars: MarketBars, settings: BacktestSettings, equity: [Double], exposure: [Double], trades: TradeSummary, openTradeCount: Int,
        totalFees: Double, tradedValue: Double, benchmark: [Double]?
    ) throws(QuantError) {
        let n = equity.count
        var returns = [Double](repeating: 0, count: n)
        var previous = settings.initialCash
        for t in 0..<n {
            // An account wiped out (equity ≤ 0) is a return of −1 and stays there.
            returns[t] = previous > 0 ? Swift.max(equity[t] / previous - 1, -1) : 0
            previous = equity[t]
        }
        let report = try PerformanceReport(
            returns: returns, benchmark: benchmark, periodsPerYear: settings.periodsPerYear, riskFree: settings.riskFree)
        start = bars.dates[0]
        end = bars.dates[n - 1]
        durationDays = bars.days[n - 1] - bars.days[0]
        self.exposure = Double(exposure.lazy.filter { $0 > 0 }.count) / Double(n)
        equityFinal = equity[n - 1]
        equityPeak = Swift.max(equity.max() ?? 0, settings.initialCash)
        totalReturn = equityFinal / settings.initialCash - 1
        annualReturn = report.annualReturn
        var buyAndHold = 0.0
        for s in bars.symbols.indices {
            let base = s * bars.dateCount
            buyAndHold += bars.close[base + bars.dateCount - 1] / bars.close[base + bars.firstBar[s]] - 1
        }
        buyAndHoldReturn = buyAndHold / Double(bars.symbols.count)
        annualVolatility = report.annualVolatility
        sharpe = report.sharpe
        sortino = report.sortino
        calmar = report.calmar
        omega = report.omega
        probabilisticSharpe = SharpeInference.probabilisticSharpeRatio(returns: returns.map { $0 - settings.riskFree })
        maxDrawdown = report.maxDrawdown.depth
        maxDrawdownDuration = report.maxDrawdown.episode?.length ?? 0
        let episodes = Self.drawdownEpisodes(equity: equity, initial: settings.initialCash)
        averageDrawdown = episodes.isEmpty ? 0 : episodes.map(\.depth).reduce(0, +) / Double(episodes.count)
        averageDrawdownDuration = episodes.isEmpty ? 0 : Double(episodes.map(\.length).reduce(0, +)) / Double(episodes.count)
        longestDrawdownDuration = episodes.map(\.length).max() ?? 0

        let closedCount = trades.count, winCount = trades.wins, lossCount = trades.losses
        let grossProfit = trades.grossProfit, grossLoss = trades.grossLoss
        tradeCount = closedCount
        self.openTradeCount = openTradeCount
        let meanReturn = trades.returnSum / Double(closedCount)
        winRate = closedCount == 0 ? nil : Double(winCount) / Double(closedCount)
        bestTrade = closedCount == 0 ? nil : trades.best
        worstTrade = closedCount == 0 ? nil : trades.worst
        averageTrade = closedCount == 0 ? nil : meanReturn
        profitFactor = grossLoss > 0 ? grossProfit / grossLoss : nil
        expectancy = closedCount == 0 ? nil : trades.pnlSum / Double(closedCount)
        if closedCount >= 2, trades.m2 > 0 {
            sqn = Double(Swift.min(closedCount, 100)).squareRoot() * meanReturn / (trades.m2 / Double(closedCount - 1)).squareRoot()
        } else {
            sqn = nil
        }
        if let winRate, winCount > 0, lossCount > 0 {
            let ratio = (grossProfit / Double(winCount)) / (grossLoss / Double(lossCount))
            kelly = winRate - (1 - winRate) / ratio
        } else {
            kelly = nil
        }
        self.totalFees = totalFees
        turnover = tradedValue / (equity.reduce(0, +) / Double(n))
        alpha = report.benchmark?.alpha
        beta = report.benchmark?.beta
    }

    /// Every drawdown episode of the equity curve (starting from `initial`): depth (≤ 0) and length in bars from
    /// the peak to the first bar back at or above it, or to the last bar.
    static func drawdownEpisodes(equity: [Double], initial: Double) -> [(depth: Double, length: Int)] {
        var episodes: [(depth: Double, length: Int)] = []
        var peak = initial, peakIndex = -1, depth = 0.0
        for (t, e) in equity.enumerated() {
            if e >= peak {
                if depth < 0 { episodes.append((depth, t - peakIndex)) }
                peak = e
                peakIndex = t
                depth = 0
            } else {
                depth = Swift.min(depth, e / peak - 1)
            }
        }
        if depth < 0 { episodes.append((depth, equity.count - 1 - peakIndex)) }
        return episodes
    }
}
