import Foundation
import Testing

@testable import Quant

/// The acceptance test: SMA 50/200 on ORCL, signal at the close, market fill at the next open, 0.1 %
/// commission on every fill, all in with fractional shares, equity at every close, no liquidation at the end —
/// against a plain loop written here that shares no code with the engine (its SMA is a direct window mean).
@Suite struct EngineAcceptanceTests {
    struct Expected {
        var equity: [Double] = []
        var fills: [(bar: Int, side: Side, quantity: Double, price: Double, fee: Double)] = []
    }

    static func independent(open: [Double], close: [Double], cash initial: Double, fee: Double) -> Expected {
        let n = close.count
        func sma(_ w: Int, _ t: Int) -> Double {
            guard t >= w - 1 else { return .nan }
            var sum = 0.0
            for i in (t - w + 1)...t { sum += close[i] }
            return sum / Double(w)
        }
        var cash = initial, shares = 0.0, pending: Side?
        var out = Expected()
        for t in 0..<n {
            if let side = pending {  // the order from bar t−1 fills at this open
                let price = open[t]
                if side == .buy {
                    let q = cash / (price * (1 + fee))
                    let f = q * price * fee
                    cash -= q * price + f
                    shares = q
                    out.fills.append((t, .buy, q, price, f))
                } else {
                    let f = shares * price * fee
                    cash += shares * price - f
                    out.fills.append((t, .sell, shares, price, f))
                    shares = 0
                }
                pending = nil
            }
            out.equity.append(cash + shares * close[t])
            if t >= 1 {
                let f0 = sma(50, t - 1), s0 = sma(200, t - 1), f1 = sma(50, t), s1 = sma(200, t)
                if f0 <= s0, f1 > s1, shares == 0 { pending = .buy }
                if f0 >= s0, f1 < s1, shares > 0 { pending = .sell }
            }
        }
        return out
    }

    @Test func smaCrossOnOracleEqualsAPlainLoopOnEveryBarAndFill() throws {
        let orcl = try EngineFixture.priceFile("orcl-1995-2014.csv")
        let bars = try MarketBars([("ORCL", orcl)])
        var strategy = try BuiltInStrategies.make("sma-cross", parameters: ["fast": 50, "slow": 200])
        let settings = BacktestSettings(initialCash: 100_000, fees: .percent(0.001))
        let result = try Backtest.run(&strategy, on: bars, settings: settings)
        let expected = Self.independent(open: orcl.open, close: orcl.close, cash: 100_000, fee: 0.001)

        #expect(result.equity.count == orcl.count)
        for t in 0..<orcl.count { expectClose(result.equity[t], expected.equity[t], "equity[\(t)]") }
        #expect(expected.fills.count > 20)
        try #require(result.fills.count == expected.fills.count)
        for (fill, want) in zip(result.fills, expected.fills) {
            #expect(fill.bar == want.bar)
            #expect(fill.date == orcl.dates[want.bar])
            #expect(fill.side == want.side)
            #expect(fill.orderType == "market")
            expectClose(fill.quantity, want.quantity, "quantity")
            expectClose(fill.price, want.price, "price")
            expectClose(fill.fee, want.fee, "fee")
        }
        #expect(result.refusals.isEmpty)
        // No liquidation at the end: the last position, if any, is an open trade.
        let lastIsBuy = expected.fills.last?.side == .buy
        #expect(result.trades.filter(\.isOpen).count == (lastIsBuy ? 1 : 0))
        #expect(result.trades.filter { !$0.isOpen }.count == expected.fills.count / 2)
    }
}
