import Foundation
import Testing

@testable import Quant

/// Round trips: FIFO matching, fees pro rata, MAE and MFE from the bars' lows and highs while open.
@Suite struct EngineTradeTests {
    @Test func maeAndMfeComeFromTheBarsWhileTheTradeIsOpen() throws {
        // Long at bar 1's open (102), out at bar 4's open (108): bar 1 (after the open), 2 and 3 count, bar 4 not.
        let long = try FillRulesTests.run([0: [FillRulesTests.order(.buy, .market, 3)], 3: [FillRulesTests.order(.sell, .market, 3)]])
        let t = try #require(long.result.trades.first)
        #expect(t.direction == .buy && !t.isOpen && t.entryBar == 1 && t.exitBar == 4 && t.durationBars == 3 && t.durationDays == 3)
        expectClose(t.mae, 90.0 / 102 - 1)
        expectClose(t.mfe, 110.0 / 102 - 1)
        expectClose(t.pnl, 18)
        expectClose(t.returnFraction, 6.0 / 102)
        // The same as a short: adverse is the highest high.
        let short = try FillRulesTests.run([0: [FillRulesTests.order(.sell, .market, 3)], 3: [FillRulesTests.order(.buy, .market, 3)]])
        let s = try #require(short.result.trades.first)
        #expect(s.direction == .sell)
        expectClose(s.mae, 1 - 110.0 / 102)
        expectClose(s.mfe, 1 - 90.0 / 102)
        expectClose(s.pnl, -18)
        // In at bar 1's close (104), out at bar 3's close (108): bar 1 does not count, bars 2 and 3 do.
        let closes = try FillRulesTests.run([0: [FillRulesTests.order(.buy, .marketOnClose)], 2: [FillRulesTests.order(.sell, .marketOnClose)]])
        let c = try #require(closes.result.trades.first)
        expectClose(c.mae, 90.0 / 104 - 1)
        expectClose(c.mfe, 110.0 / 104 - 1)
    }

    @Test func tradesMatchFirstInFirstOutWithFeesProRata() throws {
        let orders: [Int: [Order]] = [
            0: [FillRulesTests.order(.buy, .market, 10)], 1: [FillRulesTests.order(.buy, .market, 10)],
            2: [FillRulesTests.order(.sell, .market, 15)],
        ]
        let r = try FillRulesTests.run(orders, settings: BacktestSettings(fees: .fixed(1))).result
        #expect(r.trades.count == 3)
        let (a, b, open) = (r.trades[0], r.trades[1], r.trades[2])
        #expect(a.quantity == 10 && a.entryPrice == 102 && a.exitPrice == 96 && !a.isOpen)
        expectClose(a.fees, 1 + 10.0 / 15)
        expectClose(a.pnl, -60 - (1 + 10.0 / 15))
        #expect(b.quantity == 5 && b.entryPrice == 95 && b.exitPrice == 96)
        expectClose(b.fees, 0.5 + 5.0 / 15)
        expectClose(b.pnl, 5 - (0.5 + 5.0 / 15))
        #expect(open.isOpen && open.quantity == 5 && open.exitPrice == 101 && open.exitBar == 4)
        expectClose(open.pnl, 5 * 6 - 0.5)
    }

    @Test func aFillThroughZeroClosesTheLongAndOpensAShort() throws {
        let r = try FillRulesTests.run([0: [FillRulesTests.order(.buy, .market, 2)], 1: [FillRulesTests.order(.sell, .market, 5)]]).result
        #expect(r.trades.map(\.direction) == [.buy, .sell])
        #expect(r.trades.map(\.quantity) == [2, 3])
        #expect(r.trades.map(\.isOpen) == [false, true])
    }
}
