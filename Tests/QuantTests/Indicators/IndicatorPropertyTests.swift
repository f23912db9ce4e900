import Quant
import Testing

/// A seeded random walk with consistent OHLC bars, for property tests.
struct IndicatorTestWalk {
    let high: [Double], low: [Double], close: [Double], volume: [Double]

    init(count: Int, seed: UInt64 = 7) {
        var state = seed
        func unit() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        var h: [Double] = [], l: [Double] = [], c: [Double] = [], v: [Double] = []
        var price = 50.0
        for _ in 0..<count {
            let next = max(0.01, price * (1 + (unit() - 0.5) * 0.04))
            h.append(max(price, next) * (1 + unit() * 0.01))
            l.append(min(price, next) * (1 - unit() * 0.01))
            c.append(next)
            v.append((unit() * 1_000_000).rounded())
            price = next
        }
        (high, low, close, volume) = (h, l, c, v)
    }
}

/// Index of the first defined value; every later value must be defined too.
func firstDefined(_ values: [Double]) -> Int? {
    guard let first = values.firstIndex(where: { !$0.isNaN }) else { return nil }
    return values[first...].allSatisfy { !$0.isNaN } ? first : -1
}

@Suite("Indicator properties")
struct IndicatorPropertyTests {
    let walk = IndicatorTestWalk(count: 2_000)

    @Test func averagesOfAConstantSeriesAreThatConstant() throws {
        let flat = [Double](repeating: 42.5, count: 200)
        for (name, out) in [
            ("sma", try Indicators.sma(flat)), ("ema", try Indicators.ema(flat)), ("wma", try Indicators.wma(flat)),
            ("dema", try Indicators.dema(flat)), ("tema", try Indicators.tema(flat)), ("kama", try Indicators.kama(flat)),
            ("ema firstValue", try Indicators.ema(flat, seed: .firstValue)),
        ] {
            #expect(out.allSatisfy { $0.isNaN || abs($0 - 42.5) < 1e-12 }, "\(name)")
            #expect(out.last.map { abs($0 - 42.5) < 1e-12 } == true, "\(name)")
        }
    }

    @Test func oscillatorsOfConstantPricesFollowTALibZeroConventions() throws {
        let flat = [Double](repeating: 10, count: 100)
        #expect(try Indicators.rsi(flat).compactMap { $0.isNaN ? nil : $0 }.allSatisfy { $0 == 0 })
        #expect(try Indicators.stochasticFast(high: flat, low: flat, close: flat).k.allSatisfy { $0.isNaN || $0 == 0 })
        #expect(try Indicators.williamsR(high: flat, low: flat, close: flat).allSatisfy { $0.isNaN || $0 == 0 })
        #expect(try Indicators.atr(high: flat, low: flat, close: flat).allSatisfy { $0.isNaN || $0 == 0 })
        let bands = try Indicators.bollingerBands(flat)
        #expect(bands.upper[19...].allSatisfy { $0 == 10 } && bands.lower[19...].allSatisfy { $0 == 10 })
        #expect(try Indicators.macd(flat).line.allSatisfy { $0.isNaN || $0 == 0 })
    }

    @Test func boundedOscillatorsStayInTheirRanges() throws {
        let (h, l, c, v) = (walk.high, walk.low, walk.close, walk.volume)
        let in0to100: [(String, [Double])] = [
            ("rsi", try Indicators.rsi(c)), ("rsi firstValue", try Indicators.rsi(c, seed: .firstValue)),
            ("stoch k", try Indicators.stochastic(high: h, low: l, close: c).k),
            ("stoch d", try Indicators.stochastic(high: h, low: l, close: c).d),
            ("stochRSI", try Indicators.stochasticRSI(c).k), ("mfi", try Indicators.mfi(high: h, low: l, close: c, volume: v)),
            ("ultosc", try Indicators.ultimateOscillator(high: h, low: l, close: c)),
            ("aroon up", try Indicators.aroon(high: h, low: l).up), ("adx", try Indicators.directionalMovement(high: h, low: l, close: c).adx),
        ]
        for (name, out) in in0to100 {
            #expect(out.allSatisfy { $0.isNaN || (0...100).contains($0) }, "\(name)")
        }
        #expect(try Indicators.williamsR(high: h, low: l, close: c).allSatisfy { $0.isNaN || (-100...0).contains($0) })
    }

    @Test func rsiOfAStrictlyRisingSeriesIs100() throws {
        let rising = (0..<50).map { 10 + Double($0) * 0.5 }
        #expect(try Indicators.rsi(rising)[14...].allSatisfy { $0 == 100 })
    }

    @Test func bollingerMiddleIsTheSMAAndTheBandsAreSymmetric() throws {
        let bands = try Indicators.bollingerBands(walk.close, period: 20, deviations: 2.5)
        let sma = try Indicators.sma(walk.close, period: 20)
        for i in 19..<walk.close.count {
            #expect(bands.middle[i] == sma[i])
            #expect(abs((bands.upper[i] - bands.middle[i]) - (bands.middle[i] - bands.lower[i])) < 1e-9)
        }
    }

    @Test func rollingSumsDoNotDriftOverALongSeries() throws {
        let long = IndicatorTestWalk(count: 200_000, seed: 11).close.map { $0 * 1_000 }
        let period = 20
        let sma = try Indicators.sma(long, period: period)
        let bands = try Indicators.bollingerBands(long, period: period, deviations: 1)
        for i in stride(from: long.count - 2_000, to: long.count, by: 37) {
            let window = long[(i - period + 1)...i]
            let mean = window.reduce(0, +) / Double(period)
            let sigma = (window.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(period)).squareRoot()
            #expect(abs(sma[i] - mean) <= 1e-9 * mean)
            #expect(abs((bands.upper[i] - bands.middle[i]) - sigma) <= 1e-9 * max(1, sigma))
        }
    }

    @Test func macdHistogramIsLineMinusSignal() throws {
        let m = try Indicators.macd(walk.close)
        for i in 33..<walk.close.count { #expect(m.histogram[i] == m.line[i] - m.signal[i]) }
    }

    @Test func warmUpLengthsAreTALibLookbacks() throws {
        let (h, l, c, v) = (walk.high, walk.low, walk.close, walk.volume)
        let dm = try Indicators.directionalMovement(high: h, low: l, close: c)
        let cases: [(String, [Double], Int)] = [
            ("sma", try Indicators.sma(c, period: 20), 19), ("ema", try Indicators.ema(c, period: 20), 19),
            ("wma", try Indicators.wma(c, period: 9), 8), ("dema", try Indicators.dema(c, period: 30), 58),
            ("tema", try Indicators.tema(c, period: 30), 87), ("kama", try Indicators.kama(c, period: 10), 10),
            ("trix", try Indicators.trix(c, period: 30), 88), ("rsi", try Indicators.rsi(c), 14),
            ("macd", try Indicators.macd(c).line, 33), ("macd signal", try Indicators.macd(c).signal, 33),
            ("ppo", try Indicators.ppo(c).line, 25), ("ppo signal", try Indicators.ppo(c).signal, 33),
            ("roc", try Indicators.roc(c, period: 10), 10), ("mom", try Indicators.momentum(c, period: 10), 10),
            ("bbands", try Indicators.bollingerBands(c).upper, 19), ("atr", try Indicators.atr(high: h, low: l, close: c), 14),
            ("atr stockCharts", try Indicators.atr(high: h, low: l, close: c, warmUp: .stockCharts), 13),
            ("stoch", try Indicators.stochastic(high: h, low: l, close: c).k, 17),
            ("stochf", try Indicators.stochasticFast(high: h, low: l, close: c).k, 15),
            ("stochrsi", try Indicators.stochasticRSI(c, period: 14, kPeriod: 14, dPeriod: 3).k, 29),
            ("willr", try Indicators.williamsR(high: h, low: l, close: c), 13),
            ("cci", try Indicators.cci(high: h, low: l, close: c), 19),
            ("ultosc", try Indicators.ultimateOscillator(high: h, low: l, close: c), 28),
            ("+di", dm.plusDI, 14), ("-di", dm.minusDI, 14), ("adx", dm.adx, 27),
            ("aroon", try Indicators.aroon(high: h, low: l).up, 14), ("sar", try Indicators.parabolicSAR(high: h, low: l), 1),
            ("obv", try Indicators.obv(close: c, volume: v), 0),
            ("ad", try Indicators.accumulationDistribution(high: h, low: l, close: c, volume: v), 0),
            ("mfi", try Indicators.mfi(high: h, low: l, close: c, volume: v), 14),
            ("vwap", try Indicators.vwap(high: h, low: l, close: c, volume: v), 0),
            ("vwap 14", try Indicators.vwap(high: h, low: l, close: c, volume: v, period: 14), 13),
            ("keltner", try Indicators.keltnerChannel(high: h, low: l, close: c).upper, 19),
            ("donchian", try Indicators.donchianChannel(high: h, low: l).upper, 19),
        ]
        for (name, out, lookback) in cases {
            #expect(out.count == c.count, "\(name)")
            #expect(firstDefined(out) == lookback, "\(name)")
        }
    }

    @Test func inputShorterThanTheWarmUpGivesAllNaN() throws {
        let short = Array(walk.close.prefix(10))
        let (h, l) = (Array(walk.high.prefix(10)), Array(walk.low.prefix(10)))
        #expect(try Indicators.sma(short, period: 20).allSatisfy(\.isNaN))
        #expect(try Indicators.ema(short, period: 11).allSatisfy(\.isNaN))
        #expect(try Indicators.rsi(short, period: 10).allSatisfy(\.isNaN))
        #expect(try Indicators.macd(short).signal.allSatisfy(\.isNaN))
        #expect(try Indicators.bollingerBands(short).lower.allSatisfy(\.isNaN))
        #expect(try Indicators.atr(high: h, low: l, close: short).allSatisfy(\.isNaN))
        #expect(try Indicators.directionalMovement(high: h, low: l, close: short).adx.allSatisfy(\.isNaN))
        #expect(try Indicators.stochasticRSI(short).k.allSatisfy(\.isNaN))
        #expect(try Indicators.kama([1], period: 1).allSatisfy(\.isNaN))
    }

    @Test func invalidInputThrowsNamedErrors() {
        #expect(throws: QuantError.empty("values")) { try Indicators.sma([], period: 3) }
        #expect(throws: QuantError.nonFinite("values", index: 2)) { try Indicators.ema([1, 2, .nan, 4], period: 2) }
        #expect(throws: QuantError.nonFinite("values", index: 0)) { try Indicators.rsi([.infinity, 1]) }
        #expect(throws: QuantError.invalidParameter("period", 0, "must be at least 1")) { try Indicators.sma([1, 2], period: 0) }
        #expect(throws: QuantError.lengthMismatch("low", 2, "high", 3)) {
            try Indicators.atr(high: [1, 2, 3], low: [1, 2], close: [1, 2, 3])
        }
        #expect(throws: QuantError.lengthMismatch("volume", 1, "close", 2)) { try Indicators.obv(close: [1, 2], volume: [1]) }
        #expect(throws: QuantError.self) { try Indicators.macd([1, 2, 3], fast: 26, slow: 12) }
        #expect(throws: QuantError.self) { try Indicators.bollingerBands([1, 2, 3], deviations: -1) }
        #expect(throws: QuantError.self) { try Indicators.parabolicSAR(high: [1, 2], low: [1, 2], acceleration: 0) }
    }

    /// The fast kernels validate while they compute; every position (first, inside the warm-up, later, last)
    /// and every input must still be caught, named with its index.
    @Test(arguments: [0, 5, 700, 1_999])
    func fastPathsRejectANonFiniteValueAnywhere(index: Int) {
        var bad = walk.close
        bad[index] = index.isMultiple(of: 2) ? .nan : -.infinity
        let error = QuantError.nonFinite("values", index: index)
        #expect(throws: error) { try Indicators.sma(bad, period: 20) }
        #expect(throws: error) { try Indicators.ema(bad, period: 20) }
        #expect(throws: error) { try Indicators.rsi(bad, period: 14) }
        #expect(throws: error) { try Indicators.macd(bad) }
        #expect(throws: error) { try Indicators.bollingerBands(bad) }
        #expect(throws: error) { try Indicators.sma(Array(bad.prefix(index + 1)), period: 5_000) }
        let (h, l) = (walk.high, walk.low)
        #expect(throws: QuantError.nonFinite("close", index: index)) { try Indicators.atr(high: h, low: l, close: bad) }
        #expect(throws: QuantError.nonFinite("high", index: index)) { try Indicators.atr(high: bad, low: l, close: walk.close) }
        #expect(throws: QuantError.nonFinite("low", index: index)) {
            try Indicators.atr(high: h, low: bad, close: walk.close, warmUp: .stockCharts)
        }
    }

    @Test func zeroVolumeLeavesVolumeIndicatorsFlat() throws {
        let (h, l, c) = (walk.high, walk.low, walk.close)
        let zero = [Double](repeating: 0, count: c.count)
        #expect(try Indicators.obv(close: c, volume: zero).allSatisfy { $0 == 0 })
        #expect(try Indicators.accumulationDistribution(high: h, low: l, close: c, volume: zero).allSatisfy { $0 == 0 })
        #expect(try Indicators.mfi(high: h, low: l, close: c, volume: zero).allSatisfy { $0.isNaN || $0 == 0 })
        let vwap = try Indicators.vwap(high: h, low: l, close: c, volume: zero, period: 3)
        var typical = 0.0
        for i in 0..<3 { typical += (h[i] + l[i] + c[i]) / 3 }
        #expect(abs(vwap[2] - typical / 3) < 1e-12)
    }

    @Test func obvStartsAtTheFirstVolumeAndFollowsCloseDirection() throws {
        let obv = try Indicators.obv(close: [10, 11, 11, 9], volume: [100, 20, 30, 5])
        #expect(obv == [100, 120, 120, 115])
    }

    @Test(arguments: [1, 2, 5, 14])
    func rollingExtremesMatchANaiveScanIncludingTies(period: Int) throws {
        // Prices rounded to a coarse grid, so equal highs and lows are frequent.
        let h = walk.high.map { ($0 * 2).rounded() / 2 }, l = walk.low.map { ($0 * 2).rounded() / 2 }
        let channel = try Indicators.donchianChannel(high: h, low: l, period: period)
        let aroon = try Indicators.aroon(high: h, low: l, period: period)
        for i in 0..<h.count {
            if i >= period - 1 {
                #expect(channel.upper[i] == h[(i - period + 1)...i].max())
                #expect(channel.lower[i] == l[(i - period + 1)...i].min())
            }
            if i >= period {
                let window = (i - period)...i
                let newestHigh = window.last { h[$0] == h[window].max() }!
                let newestLow = window.last { l[$0] == l[window].min() }!
                #expect(aroon.up[i] == 100.0 / Double(period) * Double(period - (i - newestHigh)))
                #expect(aroon.down[i] == 100.0 / Double(period) * Double(period - (i - newestLow)))
            }
        }
    }

    @Test func donchianOffsetShiftsTheChannel() throws {
        let plain = try Indicators.donchianChannel(high: walk.high, low: walk.low, period: 20)
        let shifted = try Indicators.donchianChannel(high: walk.high, low: walk.low, period: 20, offset: 3)
        #expect(Array(shifted.upper[22...]) == Array(plain.upper[19..<(plain.upper.count - 3)]))
    }
}
