import Foundation
import Testing

@testable import Quant

/// Sizing, cash checks, refusals and short sales.
@Suite struct EngineAccountTests {
    static func run(_ orders: [Int: [Order]], _ settings: BacktestSettings = BacktestSettings()) throws -> BacktestResult {
        try FillRulesTests.run(orders, settings: settings).result
    }

    @Test func anOrderThatDoesNotFitTheCashIsRefusedAndReported() throws {
        let r = try Self.run([0: [Order(symbol: 0, size: .shares(2000))]])  // 204,000 at 102 with 100,000
        #expect(r.fills.isEmpty)
        #expect(r.refusals.count == 1)
        let refusal = try #require(r.refusals.first)
        #expect(refusal.reason == .insufficientCash && refusal.symbol == "X" && refusal.date == "2024-01-02" && refusal.bar == 1)
        #expect(refusal.orderID == 1)
        #expect(r.equity.allSatisfy { $0 == 100_000 })
    }

    @Test func budgetSizesShrinkToWhatTheCashPaysIncludingTheFee() throws {
        let r = try Self.run([0: [Order(symbol: 0, size: .value(200_000))]], BacktestSettings(fees: .percent(0.001)))
        #expect(r.refusals.isEmpty)
        expectClose(r.fills[0].quantity, 100_000 / (102 * 1.001))
        #expect(r.cash[1] >= -1e-9 && r.cash[1] < 1e-6)
        // With IB's per-share fee (not linear) the largest fitting quantity is found by bisection.
        let ib = try Self.run([0: [Order(symbol: 0, size: .value(200_000))]], BacktestSettings(fees: .interactiveBrokersUS))
        let q = ib.fills[0].quantity
        expectClose(q * 102 + max(0.005 * q, 1), 100_000, relative: 1e-12)
    }

    @Test func wholeSharesFloorTheQuantityAndRefuseLessThanOneShare() throws {
        let whole = BacktestSettings(fractionalShares: false)
        #expect(try Self.run([0: [Order(symbol: 0, size: .value(1000))]], whole).fills.map(\.quantity) == [9])
        let r = try Self.run([0: [Order(symbol: 0, size: .shares(0.5))]], whole)
        #expect(r.fills.isEmpty && r.refusals.map(\.reason) == [.belowOneShare])
        // All in with a 1.00 fixed fee: floor((100,000 − 1) / 102) = 980 shares.
        let allIn = try Self.run([0: [.target(0, percent: 1)]], BacktestSettings(fees: .fixed(1), fractionalShares: false))
        #expect(allIn.fills.map(\.quantity) == [980])
    }

    @Test func sizesResolveAgainstEquityAtTheFillPrice() throws {
        let r = try Self.run([0: [Order(symbol: 0, size: .percentOfEquity(0.25))], 1: [Order(symbol: 0, size: .targetValue(5_000))]])
        expectClose(r.fills[0].quantity, 25_000 / 102)
        // Bar 2 opens at 95: target 5,000 / 95 shares, sell the difference.
        #expect(r.fills[1].side == .sell)
        expectClose(r.fills[1].quantity, 25_000 / 102 - 5_000 / 95)
        let t = try Self.run([0: [.target(0, percent: 0.5)], 1: [.target(0, percent: 0.5)]])
        // Equity at bar 2's open: 50,000 + (50,000 / 102) × 95; half of it at 95.
        let equity: Double = 50_000 + 50_000 / 102 * 95
        expectClose(t.fills[1].quantity, equity * 0.5 / 95 - 50_000 / 102)
        #expect(t.fills[1].side == .buy)
    }

    @Test func aShortSaleCreditsCashAndIsMarkedAtTheClose() throws {
        let r = try Self.run([0: [Order(symbol: 0, side: .sell, size: .shares(10))]])
        expectClose(r.cash[1], 100_000 + 10 * 102)
        expectClose(r.equity[1], 100_000 + 10 * 102 - 10 * 104)
        expectClose(r.exposure[1], 10 * 104 / r.equity[1])
        #expect(r.trades.count == 1 && r.trades[0].isOpen && r.trades[0].direction == .sell)
        expectClose(r.trades[0].pnl, (102 - 101) * 10)  // open at the last close 101
    }

    @Test func withShortingOffASellBeyondThePositionIsRefusedOrCutToThePosition() throws {
        let noShort = BacktestSettings(allowShort: false)
        let r = try Self.run([0: [Order(symbol: 0, side: .sell, size: .shares(10))]], noShort)
        #expect(r.fills.isEmpty && r.refusals.map(\.reason) == [.shortNotAllowed])
        let t = try Self.run([0: [.target(0, percent: -0.5)]], noShort)
        #expect(t.fills.isEmpty && t.refusals.map(\.reason) == [.shortNotAllowed])
        // Long 5, then a value sell of 10,000 (≈ 98 shares) is cut to the 5 held.
        let cut = try Self.run(
            [0: [Order(symbol: 0, size: .shares(5))], 1: [Order(symbol: 0, side: .sell, size: .value(10_000))]], noShort)
        #expect(cut.fills.map(\.quantity) == [5, 5])
    }

    @Test func invalidOrdersAreRefusedWhenSubmitted() throws {
        let r = try Self.run([0: [Order(symbol: 3, size: .shares(1)), Order(symbol: 0, size: .shares(-1)), Order(symbol: 0, size: .shares(1), type: .limit(0))]])
        #expect(r.refusals.map(\.reason) == [.invalidOrder, .invalidOrder, .invalidOrder])
        #expect(r.refusals.map(\.bar) == [0, 0, 0])
        #expect(r.fills.isEmpty)
    }

    @Test func sellsExecuteBeforeBuysAtTheSamePriceSoARebalanceCanPayForItsBuys() throws {
        let a = try EngineFixture.ohlcv([(10, 10, 10, 10, 1e6), (10, 10, 10, 10, 1e6), (10, 10, 10, 10, 1e6)])
        let b = try EngineFixture.ohlcv([(20, 20, 20, 20, 1e6), (20, 20, 20, 20, 1e6), (20, 20, 20, 20, 1e6)])
        let bars = try MarketBars([("A", a), ("B", b)])
        // All in A at bar 1; then B's buy submitted before A's sell: A's sale must come first.
        var strategy = ScriptedStrategy(onBarOrders: [0: [.target(0, percent: 1)], 1: [.target(1, percent: 1), .target(0, percent: 0)]])
        let r = try Backtest.run(&strategy, on: bars, settings: BacktestSettings(initialCash: 1000))
        #expect(r.refusals.isEmpty)
        #expect(r.fills.map(\.symbol) == ["A", "A", "B"])
        #expect(r.fills.map(\.quantity) == [100, 100, 50])
    }

    @Test func liquidateAtEndClosesEveryPositionAtTheLastClose() throws {
        let r = try Self.run([0: [Order(symbol: 0, size: .shares(10))]], BacktestSettings(fees: .fixed(1), liquidateAtEnd: true))
        #expect(r.fills.map(\.price) == [102, 101] && r.fills.last?.orderType == "market-on-close")
        #expect(r.trades.count == 1 && !r.trades[0].isOpen)
        expectClose(r.trades[0].pnl, -10 - 2)
        expectClose(r.equity.last!, 100_000 - 12)
    }
}
