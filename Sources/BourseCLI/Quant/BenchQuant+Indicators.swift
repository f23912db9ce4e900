import Quant

extension BenchQuantCommand {
    /// Indicator items of `bourse bench quant`: every indicator with its usual parameters, named like the
    /// `quant indicators` columns. Each closure returns the last output so the work cannot be dropped.
    static var indicatorItems: [BenchItem] {
        typealias Bars = OHLCV
        func item(_ name: String, _ work: @escaping @Sendable (Bars) throws -> [Double]) -> BenchItem {
            BenchItem(name: name) { data in
                { (try? work(data.ohlcv))?.last ?? .nan }
            }
        }
        return [
            item("SMA_20") { try Indicators.sma($0.close, period: 20) },
            item("EMA_20") { try Indicators.ema($0.close, period: 20) },
            item("WMA_20") { try Indicators.wma($0.close, period: 20) },
            item("DEMA_20") { try Indicators.dema($0.close, period: 20) },
            item("TEMA_20") { try Indicators.tema($0.close, period: 20) },
            item("KAMA_10") { try Indicators.kama($0.close, period: 10) },
            item("TRIX_30") { try Indicators.trix($0.close, period: 30) },
            item("RSI_14") { try Indicators.rsi($0.close, period: 14) },
            item("MACD_12_26_9") { try Indicators.macd($0.close, fast: 12, slow: 26, signal: 9).histogram },
            item("PPO_12_26_9") { try Indicators.ppo($0.close, fast: 12, slow: 26, signal: 9).histogram },
            item("ROC_10") { try Indicators.roc($0.close, period: 10) },
            item("MOM_10") { try Indicators.momentum($0.close, period: 10) },
            item("BBANDS_20_2") { try Indicators.bollingerBands($0.close, period: 20, deviations: 2).lower },
            item("ATR_14") { try Indicators.atr(high: $0.high, low: $0.low, close: $0.close, period: 14) },
            item("KELTNER_20_10_2") { try Indicators.keltnerChannel(high: $0.high, low: $0.low, close: $0.close).lower },
            item("DONCHIAN_20") { try Indicators.donchianChannel(high: $0.high, low: $0.low, period: 20).lower },
            item("STOCH_14_3_3") { try Indicators.stochastic(high: $0.high, low: $0.low, close: $0.close).d },
            item("STOCHF_14_3") { try Indicators.stochasticFast(high: $0.high, low: $0.low, close: $0.close).d },
            item("STOCHRSI_14_14_3") { try Indicators.stochasticRSI($0.close, period: 14, kPeriod: 14, dPeriod: 3).d },
            item("WILLR_14") { try Indicators.williamsR(high: $0.high, low: $0.low, close: $0.close, period: 14) },
            item("CCI_20") { try Indicators.cci(high: $0.high, low: $0.low, close: $0.close, period: 20) },
            item("ULTOSC_7_14_28") { try Indicators.ultimateOscillator(high: $0.high, low: $0.low, close: $0.close) },
            item("ADX_14") { try Indicators.directionalMovement(high: $0.high, low: $0.low, close: $0.close).adx },
            item("AROON_14") { try Indicators.aroon(high: $0.high, low: $0.low, period: 14).oscillator },
            item("SAR_0.02_0.2") { try Indicators.parabolicSAR(high: $0.high, low: $0.low) },
            item("OBV") { try Indicators.obv(close: $0.close, volume: $0.volume) },
            item("AD") { try Indicators.accumulationDistribution(high: $0.high, low: $0.low, close: $0.close, volume: $0.volume) },
            item("MFI_14") { try Indicators.mfi(high: $0.high, low: $0.low, close: $0.close, volume: $0.volume) },
            item("VWAP_14") { try Indicators.vwap(high: $0.high, low: $0.low, close: $0.close, volume: $0.volume, period: 14) },
        ]
    }
}
