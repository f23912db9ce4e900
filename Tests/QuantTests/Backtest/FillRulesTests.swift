import Foundation
import Testing

@testable import Quant

/// Every order type and fill rule on hand-built bars (no fees, no slippage).
@Suite struct FillRulesTests {
    /// bar 0 flat at 100; bar 1 up; bar 2 gaps down to 95; bar 3 runs to 110; bar 4 falls back.
    static let rows: [(Double, Double, Double, Double, Double)] = [
        (100, 101, 99, 100, 1000),
        (102, 105, 98, 104, 1000),
        (95, 97, 90, 96, 1000),
        (96, 110, 95, 108, 1000),
        (108, 109, 100, 101, 1000),
    ]

    static func run(
        _ onBar: [Int: [Order]], beforeClose: [Int: [Order]] = [:], cancels: [Int: [OrderID]] = [:],
        settings: BacktestSettings = BacktestSettings(), rows: [(Double, Double, Double, Double, Double)] = rows
    ) throws -> (result: BacktestResult, strategy: ScriptedStrategy) {
        var strategy = ScriptedStrategy(onBarOrders: onBar, beforeCloseOrders: beforeClose, cancels: cancels)
        let result = try Backtest.run(&strategy, on: try EngineFixture.bars(rows), settings: settings)
        return (result, strategy)
    }

    static func fills(_ orders: [Int: [Order]], beforeClose: [Int: [Order]] = [:]) throws -> [(bar: Int, price: Double)] {
        try run(orders, beforeClose: beforeClose).result.fills.map { ($0.bar, $0.price) }
    }

    static func order(_ side: Side, _ type: OrderType, _ qty: Double = 1, tif: TimeInForce = .goodTillCancelled) -> Order {
        Order(symbol: 0, side: side, size: .shares(qty), type: type, timeInForce: tif)
    }

    @Test func marketOrderPlacedAfterTheCloseFillsAtTheNextOpen() throws {
        let f = try Self.run([0: [Self.order(.buy, .market)]]).result.fills
        #expect(f.count == 1)
        #expect(f[0].bar == 1 && f[0].price == 102 && f[0].point == .open && f[0].orderType == "market")
    }

    @Test func marketOnCloseFillsAtTheCloseOfTheBarItFirstSees() throws {
        // Placed in onBar(0): bar 1's close. Placed in beforeClose(2) (market or market-on-close): bar 2's close.
        #expect(try Self.fills([0: [Self.order(.buy, .marketOnClose)]]).map(\.price) == [104])
        let f = try Self.fills([:], beforeClose: [2: [Self.order(.buy, .marketOnClose), Self.order(.buy, .market)]])
        #expect(f.map(\.bar) == [2, 2] && f.map(\.price) == [96, 96])
    }

    @Test func marketOnOpenPlacedBeforeTheCloseWaitsForTheNextOpen() throws {
        #expect(try Self.fills([:], beforeClose: [1: [Self.order(.buy, .marketOnOpen)]]).map { [Double($0.bar), $0.price] } == [[2, 95]])
    }

    @Test func limitFillsAtTheLimitOrAtABetterOpenAndNeverOutsideTheRange() throws {
        #expect(try Self.fills([0: [Self.order(.buy, .limit(99))]]).map { [Double($0.bar), $0.price] } == [[1, 99]])
        // Bar 2 opens at 95, below the buy limit 100: the open is better.
        #expect(try Self.fills([1: [Self.order(.buy, .limit(100))]]).map { [Double($0.bar), $0.price] } == [[2, 95]])
        #expect(try Self.fills([0: [Self.order(.buy, .limit(80))]]).isEmpty)
        #expect(try Self.fills([0: [Self.order(.sell, .limit(106))]]).map { [Double($0.bar), $0.price] } == [[3, 106]])
        // Sell limit 94 on bar 2: the open (95) is better.
        #expect(try Self.fills([1: [Self.order(.sell, .limit(94))]]).map { [Double($0.bar), $0.price] } == [[2, 95]])
    }

    @Test func stopFillsAtTheStopOrAtTheOpenWhenTheBarGapsThroughIt() throws {
        #expect(try Self.fills([0: [Self.order(.sell, .stop(99))]]).map { [Double($0.bar), $0.price] } == [[1, 99]])
        // Bar 2 gaps from 104 to an open of 95, through the sell stop 97.
        #expect(try Self.fills([0: [Self.order(.sell, .stop(97))]]).map { [Double($0.bar), $0.price] } == [[2, 95]])
        #expect(try Self.fills([0: [Self.order(.buy, .stop(106))]]).map { [Double($0.bar), $0.price] } == [[3, 106]])
        // A buy stop 107 placed after bar 3: bar 4 opens at 108, above it.
        #expect(try Self.fills([3: [Self.order(.buy, .stop(107))]]).map { [Double($0.bar), $0.price] } == [[4, 108]])
    }

    @Test func stopLimitTriggersAsAStopThenFillsAsALimit() throws {
        // Triggered inside bar 1 at 103, within the limit 104: fills at 103.
        #expect(try Self.fills([0: [Self.order(.buy, .stopLimit(stop: 103, limit: 104))]]).map { [Double($0.bar), $0.price] } == [[1, 103]])
        // Triggered inside bar 1 at 105, beyond the limit 104: no fill on bar 1; bar 2 opens at 95 ≤ 104.
        #expect(try Self.fills([0: [Self.order(.buy, .stopLimit(stop: 105, limit: 104))]]).map { [Double($0.bar), $0.price] } == [[2, 95]])
        // Sell stop 97 gapped through at bar 2's open (95), limit 96: the high 97 reaches the limit later.
        #expect(try Self.fills([1: [Self.order(.sell, .stopLimit(stop: 97, limit: 96))]]).map { [Double($0.bar), $0.price] } == [[2, 96]])
        // Never triggered: no fill.
        #expect(try Self.fills([0: [Self.order(.buy, .stopLimit(stop: 120, limit: 121))]]).isEmpty)
    }

    @Test func trailingStopTrailsTheBestCloseOnlyAfterTheBarWasChecked() throws {
        // 5 % under the best close: 95 from bar 0's close; bar 1 (low 98) does not reach it; then bar 1's close 104
        // raises it to 98.8, and bar 2 opens at 95 below it: gap fill at 95. Had bar 1's close been taken in
        // before checking bar 1, its low 98 would have filled at 98.8 on bar 1.
        #expect(try Self.fills([0: [Self.order(.sell, .trailingStop(.percent(0.05)))]]).map { [Double($0.bar), $0.price] } == [[2, 95]])
        // Buy trailing 3 above the lowest close: placed on bar 2 (close 96) → 99, bar 3 rises through it.
        #expect(try Self.fills([2: [Self.order(.buy, .trailingStop(.amount(3)))]]).map { [Double($0.bar), $0.price] } == [[3, 99]])
    }

    @Test func dayOrdersExpireAfterTheirFirstBarGoodTillCancelledOnesKeepWorking() throws {
        #expect(try Self.fills([0: [Self.order(.buy, .limit(97), tif: .day)]]).isEmpty)
        #expect(try Self.fills([0: [Self.order(.buy, .limit(97))]]).map { [Double($0.bar), $0.price] } == [[2, 95]])
    }

    @Test func cancelledOrdersDoNotFill() throws {
        let run = try Self.run([0: [Self.order(.buy, .limit(97))]], cancels: [1: [1]])
        #expect(run.result.fills.isEmpty)
        #expect(run.strategy.openCounts == [0, 1, 0, 0, 0])
    }

    @Test func bracketStopLossFillsAndCancelsTheTakeProfit() throws {
        let entry = Order(symbol: 0, side: .buy, size: .shares(10), stopLoss: .percent(0.05), takeProfit: .amount(5))
        let run = try Self.run([0: [entry]])
        let f = run.result.fills
        // Entry at 102; stop 96.9 and target 107 from bar 2; bar 2 gaps to 95 through the stop; bar 3's high 110
        // would have reached the target had it not been cancelled.
        #expect(f.map(\.price) == [102, 95])
        #expect(f.map(\.orderType) == ["market", "stop"])
        #expect(f[1].quantity == 10 && f[1].side == .sell)
        #expect(run.strategy.openCounts == [0, 2, 0, 0, 0])
        #expect(run.result.trades.count == 1)
        expectClose(run.result.trades[0].pnl, (95 - 102) * 10)
    }

    @Test func bracketTakeProfitFillsAndCancelsTheStopLoss() throws {
        let entry = Order(symbol: 0, side: .buy, size: .shares(4), stopLoss: .price(94), takeProfit: .price(105))
        let run = try Self.run([1: [entry]])
        #expect(run.result.fills.map(\.price) == [95, 105])
        #expect(run.result.fills.map(\.bar) == [2, 3])
        #expect(run.strategy.openCounts == [0, 0, 2, 0, 0])
    }

    @Test func bracketOfAShortEntryMirrorsItsLevels() throws {
        // Short 2 at bar 1's open 102: stop-loss 5 % above (107.1), take-profit 5 % below (96.9); bar 2 opens 95.
        let entry = Order(symbol: 0, side: .sell, size: .shares(2), stopLoss: .percent(0.05), takeProfit: .percent(0.05))
        let f = try Self.run([0: [entry]]).result.fills
        #expect(f.map(\.price) == [102, 95] && f.map(\.side) == [.sell, .buy] && f[1].orderType == "limit")
    }

    @Test func oneCancelsOtherGroupCancelsTheRestOnTheFirstFill() throws {
        var a = Self.order(.buy, .limit(99)), b = Self.order(.buy, .stop(106))
        a.ocoGroup = 7
        b.ocoGroup = 7
        #expect(try Self.fills([0: [a, b]]).map { [Double($0.bar), $0.price] } == [[1, 99]])
        b.ocoGroup = nil
        #expect(try Self.fills([0: [a, b]]).map { [Double($0.bar), $0.price] } == [[1, 99], [3, 106]])
    }

    @Test func volumeCapFillsPartiallyAndTheRestWorksOrIsCancelled() throws {
        let capped = BacktestSettings(volumeCap: 0.1)  // 100 shares of each 1,000-share bar
        let gtc = try Self.run([0: [Self.order(.buy, .market, 250)]], settings: capped).result.fills
        #expect(gtc.map(\.quantity) == [100, 100, 50] && gtc.map(\.bar) == [1, 2, 3])
        #expect(gtc.map(\.price) == [102, 95, 96])
        let day = try Self.run([0: [Self.order(.buy, .market, 250, tif: .day)]], settings: capped).result.fills
        #expect(day.map(\.quantity) == [100])
        // Value sizes are fixed in shares at the first fill: 10,200 at 102 = 100 shares, one bar.
        let value = try Self.run([0: [Order(symbol: 0, size: .value(15_300))]], settings: capped).result.fills
        #expect(value.map(\.quantity) == [100, 50])
    }

    @Test func aSymbolWithoutABarHasNoFillsAndIsMarkedAtItsLastClose() throws {
        let a = try EngineFixture.ohlcv([(10, 10, 10, 10, 100), (11, 11, 11, 11, 100), (12, 12, 12, 12, 100)])
        // B trades on days 0 and 2 only.
        let b = try OHLCV(
            dates: [a.dates[0], a.dates[2]], open: [20, 30], high: [20, 30], low: [20, 30], close: [20, 30], volume: [1, 1])
        let bars = try MarketBars([("A", a), ("B", b)])
        #expect(bars.hasBar == [true, true, true, true, false, true])
        var strategy = ScriptedStrategy(onBarOrders: [0: [Order(symbol: 1, size: .shares(1))]])
        let result = try Backtest.run(&strategy, on: bars, settings: BacktestSettings(initialCash: 100))
        #expect(result.fills.map(\.bar) == [2])
        #expect(result.fills.map(\.price) == [30])
        #expect(result.equity == [100, 100, 100])
        var held = ScriptedStrategy(beforeCloseOrders: [0: [Order(symbol: 1, size: .shares(1))]])
        let marked = try Backtest.run(&held, on: bars, settings: BacktestSettings(initialCash: 100))
        // Bought at bar 0's close (20); bar 1 has no B bar: marked at 20; bar 2 at 30.
        #expect(marked.equity == [100, 100, 110])
    }
}
