import Foundation
import Testing

@testable import Quant

/// A strategy cannot see the future: the context refuses it, and no built-in strategy's results up to a bar
/// change when the bars after it are removed.
@Suite struct EngineNoLookAheadTests {
    /// Probes the context on every bar and counts what it was refused or shown.
    struct Probe: TradingStrategy {
        var column: [Double] = []
        var futureSeen = 0
        var checks = 0
        var closes: [Double?] = []

        mutating func prepare(_ bars: MarketBars) throws(QuantError) { column = bars.close }

        mutating func onBar(_ context: inout StrategyContext) {
            checks += 1
            if context.close(0, ago: -1) != nil || context.open(0, ago: -1) != nil || context.high(0, ago: -1) != nil
                || context.low(0, ago: -1) != nil || context.volume(0, ago: -1) != nil || context.hasBar(0, ago: -1)
                || context.value(column, ago: -1) != nil || context.close(0, ago: context.bar + 1) != nil
            {
                futureSeen += 1
            }
            if context.value(column) != context.close(0) { futureSeen += 1 }
        }

        mutating func beforeClose(_ context: inout StrategyContext) {
            // Bar t's open is known; its high, low, close, volume and any column value at t are not.
            if context.close(0) != nil || context.high(0) != nil || context.low(0) != nil || context.volume(0) != nil
                || context.value(column) != nil || context.open(0) == nil
            {
                futureSeen += 1
            }
            closes.append(context.close(0, ago: 1))
        }
    }

    @Test func theContextRefusesEveryBarAfterTheCurrentOne() throws {
        var probe = Probe()
        let bars = try EngineFixture.bars(FillRulesTests.rows)
        _ = try Backtest.run(&probe, on: bars)
        #expect(probe.checks == 5)
        #expect(probe.futureSeen == 0)
        #expect(probe.closes == [nil, 100, 104, 96, 108])
    }

    @Test(arguments: [
        ("sma-cross", ["fast": 10.0, "slow": 30.0]), ("ema-cross", [:]), ("rsi-reversion", [:]), ("bollinger-breakout", [:]),
        ("bollinger-reversion", [:]), ("macd", [:]), ("donchian-breakout", [:]), ("buy-and-hold", [:]), ("rebalance", ["every": 5]),
    ])
    func builtInStrategiesGiveTheSameResultsUpToABarWithOrWithoutTheBarsAfterIt(name: String, parameters: [String: Double]) throws {
        let orcl = try EngineFixture.priceFile("orcl-1995-2014.csv"), yhoo = try EngineFixture.priceFile("yhoo-1996-2014.csv")
        let settings = BacktestSettings(fees: .percent(0.001))
        var full = try BuiltInStrategies.make(name, parameters: parameters)
        let whole = try Backtest.run(&full, on: try MarketBars([("ORCL", orcl), ("YHOO", yhoo)]), settings: settings)
        #expect(whole.fills.count >= 2)
        for cut in [700, 1500, 3000] {
            func head(_ b: OHLCV) throws -> OHLCV {
                let k = b.dates.firstIndex { $0 >= whole.dates[cut] }!
                return try OHLCV(
                    dates: Array(b.dates[..<k]), open: Array(b.open[..<k]), high: Array(b.high[..<k]), low: Array(b.low[..<k]),
                    close: Array(b.close[..<k]), volume: Array(b.volume[..<k]))
            }
            var part = try BuiltInStrategies.make(name, parameters: parameters)
            let truncated = try Backtest.run(&part, on: try MarketBars([("ORCL", try head(orcl)), ("YHOO", try head(yhoo))]), settings: settings)
            #expect(truncated.equity == Array(whole.equity[..<cut]), "\(name) cut at \(cut)")
            #expect(truncated.fills == whole.fills.filter { $0.bar < cut }, "\(name) cut at \(cut)")
        }
    }
}
