import Foundation
import Testing

@testable import Quant

/// The built-in strategies: construction by name with validated parameters, and what each one trades.
@Suite struct StrategyCatalogueTests {
    @Test func catalogueNamesEveryBuiltInWithDefaultsInsideTheirRanges() throws {
        #expect(BuiltInStrategies.catalogue.map(\.name) == [
            "sma-cross", "ema-cross", "rsi-reversion", "bollinger-breakout", "bollinger-reversion", "macd", "donchian-breakout",
            "buy-and-hold", "rebalance",
        ])
        for d in BuiltInStrategies.catalogue {
            for p in d.parameters {
                #expect(p.minimum <= p.defaultValue && p.defaultValue <= p.maximum, "\(d.name).\(p.name)")
                if p.integer { #expect(p.defaultValue.rounded() == p.defaultValue) }
            }
            _ = try BuiltInStrategies.make(d.name)
        }
    }

    @Test func makeRejectsUnknownNamesParametersAndValuesNamingThem() {
        func message(_ name: String, _ parameters: [String: Double]) -> String? {
            do {
                _ = try BuiltInStrategies.make(name, parameters: parameters)
                return nil
            } catch {
                #expect(error.kind == .invalidParameter)
                return error.message
            }
        }
        #expect(message("sma-crossing", [:])?.hasPrefix("strategy = sma-crossing") == true)
        #expect(message("sma-cross", ["period": 3])?.hasPrefix("period = 3.0 is invalid: is not a parameter of sma-cross") == true)
        #expect(message("sma-cross", ["fast": 0])?.hasPrefix("fast = 0.0") == true)
        #expect(message("sma-cross", ["fast": 2.5])?.contains("whole number") == true)
        #expect(message("sma-cross", ["fast": 200, "slow": 50])?.hasPrefix("fast = 200.0 is invalid: must be below slow") == true)
        #expect(message("rsi-reversion", ["lower": 80])?.hasPrefix("lower = 80.0") == true)
        #expect(message("bollinger-breakout", ["deviations": -1])?.hasPrefix("deviations = -1.0") == true)
        #expect(message("sma-cross", ["fast": 10, "slow": 20]) == nil)
    }

    @Test func weightsMustMatchTheSymbols() throws {
        var strategy = try BuiltInStrategies.make("buy-and-hold", weights: [0.5])
        let bars = try MarketBars([("A", try EngineFixture.ohlcv(FillRulesTests.rows)), ("B", try EngineFixture.ohlcv(FillRulesTests.rows))])
        #expect(throws: QuantError.self) { try Backtest.run(&strategy, on: bars) }
    }

    @Test func buyAndHoldBuysEachSymbolAtItsWeightOnceAndHolds() throws {
        let bars = try MarketBars([("A", try EngineFixture.ohlcv(FillRulesTests.rows)), ("B", try EngineFixture.ohlcv(FillRulesTests.rows))])
        var strategy = try BuiltInStrategies.make("buy-and-hold", weights: [0.75, 0.25])
        let r = try Backtest.run(&strategy, on: bars)
        #expect(r.fills.count == 2 && r.fills.allSatisfy { $0.bar == 1 && $0.price == 102 })
        expectClose(r.fills[0].quantity, 75_000 / 102)
        expectClose(r.fills[1].quantity, 25_000 / 102)
        expectClose(r.equity.last!, 100_000 / 102 * 101)
    }

    @Test func rebalanceRestoresTheWeightsEveryNBars() throws {
        // A doubles on bar 2 while B stays: the rebalance after bar 2 moves money from A to B at bar 3's open.
        let a = try EngineFixture.ohlcv([(10, 10, 10, 10, 1e6), (10, 10, 10, 10, 1e6), (20, 20, 20, 20, 1e6), (20, 20, 20, 20, 1e6), (20, 20, 20, 20, 1e6)])
        let b = try EngineFixture.ohlcv(Array(repeating: (10, 10, 10, 10, 1e6), count: 5))
        var strategy = try BuiltInStrategies.make("rebalance", parameters: ["every": 2])
        let r = try Backtest.run(&strategy, on: try MarketBars([("A", a), ("B", b)]), settings: BacktestSettings(initialCash: 1000))
        // Bar 1: 50 A, 50 B. Bar 3 (after bar 2's signal): equity 1,500 → 37.5 A (sell 12.5), 75 B (buy 25).
        #expect(r.fills.map(\.symbol) == ["A", "B", "A", "B"])
        #expect(r.fills.map(\.quantity) == [50, 50, 12.5, 25])
        #expect(r.fills.map(\.side) == [.buy, .buy, .sell, .buy])
    }

    @Test func sharedCrossingColumnsTradeLikeTheSMACrossThatComputesThem() throws {
        let orcl = try EngineFixture.priceFile("orcl-1995-2014.csv"), yhoo = try EngineFixture.priceFile("yhoo-1996-2014.csv")
        let bars = try MarketBars([("ORCL", orcl), ("YHOO", yhoo)])
        var named = try BuiltInStrategies.make("sma-cross", parameters: ["fast": 15, "slow": 60])
        let fast = try (0..<2).map { s throws(QuantError) in try bars.column(s) { v throws(QuantError) in try Indicators.sma(v, period: 15) } }
        let slow = try (0..<2).map { s throws(QuantError) in try bars.column(s) { v throws(QuantError) in try Indicators.sma(v, period: 60) } }
        var shared = SignalStrategy(.crossing(fast: fast, slow: slow))
        let a = try Backtest.run(&named, on: bars), b = try Backtest.run(&shared, on: bars)
        #expect(a.fills.count > 20)
        #expect(a.fills == b.fills && a.equity == b.equity)
    }

    @Test func signalRulesFollowTheirIndicators() {
        #expect(SignalStrategy.crossings([1, 2, 3, 2, 1], [2, 2, 2, 2, 2]).map { $0.isNaN ? -1 : $0 } == [-1, -1, 1, -1, 0])
        #expect(SignalStrategy.crossings([.nan, 3, 1], [2, 2, 2]).map { $0.isNaN ? -1 : $0 } == [-1, -1, 0])
    }

    @Test func everyBuiltInTradesTheRealPriceFilesWithoutRefusals() throws {
        let bars = try MarketBars([("ORCL", try EngineFixture.priceFile("orcl-1995-2014.csv")), ("NVDA", try EngineFixture.priceFile("nvda-1999-2014.csv"))])
        for d in BuiltInStrategies.catalogue {
            var strategy = try BuiltInStrategies.make(d.name)
            let r = try Backtest.run(&strategy, on: bars, settings: BacktestSettings(fees: .interactiveBrokersUS))
            #expect(!r.fills.isEmpty, "\(d.name)")
            #expect(r.refusals.isEmpty, "\(d.name): \(r.refusals.prefix(3))")
            #expect(r.equity.allSatisfy { $0 > 0 }, "\(d.name)")
            #expect(r.exposure.allSatisfy { $0 <= 1 + 1e-9 }, "\(d.name) is long-only within its cash")
        }
    }
}
