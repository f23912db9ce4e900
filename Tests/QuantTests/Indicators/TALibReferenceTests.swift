import Foundation
import Quant
import Testing

/// Every default convention against TA-Lib itself: Fixtures/talib-orcl-300.csv holds TA-Lib 0.8.x outputs for
/// the first 300 ORCL bars (scripts/reference/talib_reference.py). Each output must be NaN on exactly the bars
/// TA-Lib leaves undefined and agree within 1e-9 (relative, absolute below 1) on every other bar.
@Suite("Indicators vs TA-Lib")
struct TALibReferenceTests {
    static let fixture: ReferenceCSV = {
        let url = IndicatorTestData.fixtures.appendingPathComponent("talib-orcl-300.csv")
        return ReferenceCSV(text: (try? String(contentsOf: url, encoding: .utf8)) ?? "Date\n")
    }()

    let f = TALibReferenceTests.fixture
    var h: [Double] { f.values("High") }
    var l: [Double] { f.values("Low") }
    var c: [Double] { f.values("Close") }
    var v: [Double] { f.values("Volume") }

    /// Asserts the NaN pattern and the values of `actual` against the fixture column `name`.
    func check(_ name: String, _ actual: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = f.optionals(name)
        #expect(expected.count == 300, "fixture column \(name)", sourceLocation: sourceLocation)
        #expect(actual.count == expected.count, "\(name) length", sourceLocation: sourceLocation)
        var failures = 0
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let ok: Bool
            if let e { ok = !a.isNaN && abs(a - e) <= 1e-9 * max(1, abs(e)) } else { ok = a.isNaN }
            if !ok {
                failures += 1
                if failures <= 3 {
                    Issue.record("\(name)[\(i)]: got \(a), TA-Lib \(e.map { "\($0)" } ?? "NaN")", sourceLocation: sourceLocation)
                }
            }
        }
        #expect(failures == 0, "\(name): \(failures) bars differ from TA-Lib", sourceLocation: sourceLocation)
    }

    @Test func fixtureIsPresent() {
        #expect(f.count == 300)
        #expect(f.header.count == 44)
    }

    @Test func movingAveragesMatchTALib() throws {
        check("SMA_20", try Indicators.sma(c, period: 20))
        check("EMA_20", try Indicators.ema(c, period: 20))
        check("WMA_9", try Indicators.wma(c, period: 9))
        check("DEMA_30", try Indicators.dema(c, period: 30))
        check("TEMA_30", try Indicators.tema(c, period: 30))
        check("KAMA_10", try Indicators.kama(c, period: 10))
    }

    @Test func momentumMatchesTALib() throws {
        check("RSI_14", try Indicators.rsi(c, period: 14))
        let macd = try Indicators.macd(c, fast: 12, slow: 26, signal: 9)
        check("MACD_12_26_9", macd.line)
        check("MACD_SIGNAL_12_26_9", macd.signal)
        check("MACD_HIST_12_26_9", macd.histogram)
        check("PPO_12_26_EMA", try Indicators.ppo(c, fast: 12, slow: 26, signal: 9).line)
        check("TRIX_30", try Indicators.trix(c, period: 30))
        check("ROC_10", try Indicators.roc(c, period: 10))
        check("MOM_10", try Indicators.momentum(c, period: 10))
    }

    @Test func oscillatorsMatchTALib() throws {
        let slow = try Indicators.stochastic(high: h, low: l, close: c, period: 14, kSmoothing: 3, dPeriod: 3)
        check("STOCH_SLOWK_14_3_3", slow.k)
        check("STOCH_SLOWD_14_3_3", slow.d)
        let fast = try Indicators.stochasticFast(high: h, low: l, close: c, period: 14, dPeriod: 3)
        check("STOCHF_FASTK_14_3", fast.k)
        check("STOCHF_FASTD_14_3", fast.d)
        let stochRSI = try Indicators.stochasticRSI(c, period: 14, kPeriod: 14, dPeriod: 3)
        check("STOCHRSI_FASTK_14_14_3", stochRSI.k)
        check("STOCHRSI_FASTD_14_14_3", stochRSI.d)
        check("WILLR_14", try Indicators.williamsR(high: h, low: l, close: c, period: 14))
        check("CCI_20", try Indicators.cci(high: h, low: l, close: c, period: 20))
        check("ULTOSC_7_14_28", try Indicators.ultimateOscillator(high: h, low: l, close: c, periods: (7, 14, 28)))
    }

    @Test func volatilityMatchesTALib() throws {
        let bands = try Indicators.bollingerBands(c, period: 20, deviations: 2)
        check("BB_UPPER_20_2", bands.upper)
        check("BB_MIDDLE_20_2", bands.middle)
        check("BB_LOWER_20_2", bands.lower)
        check("ATR_14", try Indicators.atr(high: h, low: l, close: c, period: 14))
        check("TRANGE", try Indicators.trueRange(high: h, low: l, close: c))
    }

    @Test func trendMatchesTALib() throws {
        let dm = try Indicators.directionalMovement(high: h, low: l, close: c, period: 14)
        check("PLUS_DI_14", dm.plusDI)
        check("MINUS_DI_14", dm.minusDI)
        check("ADX_14", dm.adx)
        let aroon = try Indicators.aroon(high: h, low: l, period: 14)
        check("AROON_UP_14", aroon.up)
        check("AROON_DOWN_14", aroon.down)
        check("AROONOSC_14", aroon.oscillator)
        check("SAR_0.02_0.2", try Indicators.parabolicSAR(high: h, low: l, acceleration: 0.02, maximum: 0.2))
    }

    @Test func volumeIndicatorsMatchTALib() throws {
        check("OBV", try Indicators.obv(close: c, volume: v))
        check("AD", try Indicators.accumulationDistribution(high: h, low: l, close: c, volume: v))
        check("MFI_14", try Indicators.mfi(high: h, low: l, close: c, volume: v, period: 14))
    }
}
