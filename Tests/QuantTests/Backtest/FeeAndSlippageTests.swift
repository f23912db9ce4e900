import Foundation
import Testing

@testable import Quant

/// Each fee and slippage model against its formula, and their effect on a fill.
@Suite struct FeeAndSlippageTests {
    @Test func percentFixedAndCombinedFeesFollowTheirFormulas() {
        #expect(FeeModel.none.fee(quantity: 100, price: 50) == 0)
        expectClose(FeeModel.percent(0.001).fee(quantity: 100, price: 50), 0.001 * 100 * 50)
        expectClose(FeeModel.percent(0.001).fee(quantity: -100, price: 50), 5)
        #expect(FeeModel.fixed(2.5).fee(quantity: 1, price: 1000) == 2.5)
        expectClose(FeeModel.combined([.percent(0.001), .fixed(1)]).fee(quantity: 100, price: 50), 6)
    }

    @Test func interactiveBrokersPresetAppliesItsMinimumAndMaximum() {
        let ib = FeeModel.interactiveBrokersUS
        #expect(ib == .perShare(rate: 0.005, minimum: 1, maximumPercent: 0.005))
        expectClose(ib.fee(quantity: 100, price: 50), 1.00)  // 0.50 → minimum 1.00
        expectClose(ib.fee(quantity: 1000, price: 20), 5.00)  // 0.005 × 1000
        expectClose(ib.fee(quantity: 10_000, price: 0.10), 5.00)  // 50 → 0.5 % of 1,000
        expectClose(ib.fee(quantity: 300, price: 0.50), 0.75)  // minimum 1.00, but 0.5 % of 150 caps it
        expectClose(FeeModel.perShare(rate: 0.01, minimum: 2, maximumPercent: nil).fee(quantity: 1000, price: 0.01), 10)
    }

    @Test func slippageModelsFollowTheirFormulas() {
        expectClose(SlippageModel.percent(0.001).perShare(quantity: 10, price: 50, barVolume: 1), 0.05)
        #expect(SlippageModel.fixed(0.02).perShare(quantity: 10, price: 50, barVolume: 1) == 0.02)
        // Lean VolumeShareSlippageModel: min(q / V, 0.025)² × 0.1 × price.
        let lean = SlippageModel.leanVolumeShare
        expectClose(lean.perShare(quantity: 100, price: 50, barVolume: 10_000), 0.01 * 0.01 * 0.1 * 50)
        expectClose(lean.perShare(quantity: 500, price: 50, barVolume: 10_000), 0.025 * 0.025 * 0.1 * 50)
        expectClose(lean.perShare(quantity: 1, price: 50, barVolume: 0), 0.025 * 0.025 * 0.1 * 50)
    }

    @Test func slippageIsAdverseToTheSideAndFeesAreChargedOnTheSlippedPrice() throws {
        let settings = BacktestSettings(fees: .interactiveBrokersUS, slippage: .percent(0.001))
        let buy = try FillRulesTests.run([0: [FillRulesTests.order(.buy, .market, 100)]], settings: settings).result
        let f = buy.fills[0]
        expectClose(f.price, 102 * 1.001)
        expectClose(f.slippage, 100 * 0.102)
        expectClose(f.fee, 1.00)
        expectClose(buy.cash[1], 100_000 - 100 * 102 * 1.001 - 1)
        expectClose(buy.equity[1], buy.cash[1] + 100 * 104)
        let sell = try FillRulesTests.run([0: [FillRulesTests.order(.sell, .market, 2000)]], settings: settings).result.fills[0]
        expectClose(sell.price, 102 * 0.999)
        expectClose(sell.fee, 0.005 * 2000)
    }

    @Test func volumeShareSlippageUsesTheFillsShareOfTheBarsVolume() throws {
        let settings = BacktestSettings(slippage: .volumeShare(priceImpact: 0.1, volumeLimit: 0.025))
        let f = try FillRulesTests.run([0: [FillRulesTests.order(.buy, .market, 10)]], settings: settings).result.fills[0]
        // 10 of 1,000 shares = 1 %: 0.01² × 0.1 × 102.
        expectClose(f.price, 102 + 0.0001 * 0.1 * 102)
    }
}
