import Foundation
import Testing

@testable import Quant

/// `BacktestStatistics` against Quant's metrics on the same equity curve and against plain loops over the trades.
@Suite struct StatisticsTests {
    static func run(riskFree: Double = 0) throws -> (BacktestResult, MarketBars, [Double]) {
        let orcl = try EngineFixture.priceFile("orcl-1995-2014.csv"), nvda = try EngineFixture.priceFile("nvda-1999-2014.csv")
        let bars = try MarketBars([("ORCL", orcl), ("NVDA", nvda)])
        // Benchmark: ORCL's close-to-close returns, 0 on the first bar.
        let c = Array(bars.close[0..<bars.dateCount])
        let benchmark = [0] + (1..<c.count).map { c[$0] / c[$0 - 1] - 1 }
        var strategy = try BuiltInStrategies.make("sma-cross", parameters: ["fast": 20, "slow": 100])
        let settings = BacktestSettings(fees: .percent(0.001), riskFree: riskFree)
        return (try Backtest.run(&strategy, on: bars, settings: settings, benchmark: benchmark), bars, benchmark)
    }

    static func returns(_ equity: [Double], initial: Double) -> [Double] {
        var previous = initial
        return equity.map { e in
            defer { previous = e }
            return e / previous - 1
        }
    }

    @Test func returnMetricsEqualQuantsMetricsOnTheEquityCurvesReturns() throws {
        let riskFree = 0.0001
        let (result, _, benchmark) = try Self.run(riskFree: riskFree)
        let s = result.statistics, r = Self.returns(result.equity, initial: 100_000)
        #expect(s.annualReturn == (try Metrics.annualReturn(r)))
        #expect(s.annualVolatility == (try Metrics.annualVolatility(r)))
        #expect(s.sharpe == (try Metrics.sharpeRatio(r, riskFree: riskFree)))
        #expect(s.sortino == (try Metrics.sortinoRatio(r, riskFree: riskFree)))
        #expect(s.calmar == (try Metrics.calmarRatio(r)))
        #expect(s.omega == (try Metrics.omegaRatio(r, riskFree: riskFree)))
        let drawdown = try Metrics.maxDrawdown(r)
        #expect(s.maxDrawdown == drawdown.depth && s.maxDrawdownDuration == drawdown.episode?.length)
        let exposure = try Metrics.benchmarkExposure(r, benchmark: benchmark, riskFree: riskFree)
        #expect(s.alpha == exposure.alpha && s.beta == exposure.beta)
        #expect(s.probabilisticSharpe == SharpeInference.probabilisticSharpeRatio(returns: r.map { $0 - riskFree }))
        #expect(s.sharpe != nil && s.probabilisticSharpe != nil && s.alpha != nil)
        expectClose(s.totalReturn, try Metrics.cumulativeReturn(r))
    }

    @Test func tradeAndAccountFiguresEqualPlainLoops() throws {
        let (result, bars, _) = try Self.run()
        let s = result.statistics
        let closed = result.trades.filter { !$0.isOpen }
        #expect(closed.count > 20)
        #expect(s.tradeCount == closed.count && s.openTradeCount == result.trades.count - closed.count)
        var wins = 0, grossWin = 0.0, grossLoss = 0.0, losses = 0, sum = 0.0, pnl = 0.0
        for t in closed {
            if t.pnl > 0 { wins += 1; grossWin += t.pnl }
            if t.pnl < 0 { losses += 1; grossLoss -= t.pnl }
            sum += t.returnFraction
            pnl += t.pnl
        }
        let n = Double(closed.count), w = Double(wins) / n, mean = sum / n
        var squares = 0.0
        for t in closed { squares += (t.returnFraction - mean) * (t.returnFraction - mean) }
        #expect(s.winRate == w)
        expectClose(s.profitFactor!, grossWin / grossLoss)
        expectClose(s.expectancy!, pnl / n)
        expectClose(s.averageTrade!, mean)
        #expect(s.bestTrade == closed.map(\.returnFraction).max() && s.worstTrade == closed.map(\.returnFraction).min())
        expectClose(s.sqn!, min(n, 100).squareRoot() * mean / (squares / (n - 1)).squareRoot())
        expectClose(s.kelly!, w - (1 - w) / ((grossWin / Double(wins)) / (grossLoss / Double(losses))))
        var fees = 0.0, traded = 0.0
        for f in result.fills {
            fees += f.fee
            traded += f.quantity * f.price
        }
        expectClose(s.totalFees, fees)
        expectClose(s.turnover, traded / (result.equity.reduce(0, +) / Double(result.equity.count)))
        #expect(s.exposure == Double(result.exposure.filter { $0 > 0 }.count) / Double(result.equity.count))
        #expect(s.start == bars.dates.first && s.end == bars.dates.last)
        #expect(s.durationDays == LocalDate(s.end)!.daysSinceEpoch - LocalDate(s.start)!.daysSinceEpoch)
        #expect(s.equityFinal == result.equity.last && s.equityPeak == max(result.equity.max()!, 100_000))
        // Buy and hold: each symbol from its own first close (NVDA starts in 1999).
        let orcl = bars.closes(of: 0), nvda = bars.closes(of: 1)
        expectClose(s.buyAndHoldReturn, ((orcl.last! / orcl.first! - 1) + (nvda.last! / nvda.first! - 1)) / 2)
        // Codable round trip.
        let decoded = try JSONDecoder().decode(BacktestStatistics.self, from: try JSONEncoder().encode(s))
        #expect(decoded == s)
    }

    @Test func drawdownEpisodesHaveDepthAndLengthFromPeakToRecovery() {
        let episodes = BacktestStatistics.drawdownEpisodes(equity: [110, 99, 105, 111, 100, 120, 90], initial: 100)
        #expect(episodes.count == 3)
        expectClose(episodes[0].depth, 99.0 / 110 - 1)
        #expect(episodes.map(\.length) == [3, 2, 1])
        expectClose(episodes[1].depth, 100.0 / 111 - 1)
        expectClose(episodes[2].depth, -0.25)
        #expect(BacktestStatistics.drawdownEpisodes(equity: [100, 101, 102], initial: 100).isEmpty)
    }

    @Test func averageDrawdownIsTheMeanOverEpisodes() throws {
        let (result, _, _) = try Self.run()
        let episodes = BacktestStatistics.drawdownEpisodes(equity: result.equity, initial: 100_000)
        let s = result.statistics
        #expect(episodes.count > 5)
        expectClose(s.averageDrawdown, episodes.map(\.depth).reduce(0, +) / Double(episodes.count))
        expectClose(s.averageDrawdownDuration, Double(episodes.map(\.length).reduce(0, +)) / Double(episodes.count))
        #expect(s.longestDrawdownDuration == episodes.map(\.length).max())
        #expect(s.longestDrawdownDuration >= s.maxDrawdownDuration)
        #expect(episodes.map(\.depth).min() == s.maxDrawdown || abs(episodes.map(\.depth).min()! - s.maxDrawdown) < 1e-12)
    }
}
