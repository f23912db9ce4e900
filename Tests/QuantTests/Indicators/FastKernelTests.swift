import Quant
import Testing

/// The hot kernels (blocked, four-bar recurrences, fused validation) against literal one-bar-at-a-time
/// evaluations of TA-Lib's formulas, over a series long enough to cross many block boundaries.
@Suite("Fast kernels")
struct FastKernelTests {
    let walk = IndicatorTestWalk(count: 5_003, seed: 3)

    func expectClose(_ a: [Double], _ b: [Double], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let bad = zip(a, b).enumerated().filter { _, pair in
            pair.0.isNaN != pair.1.isNaN || (!pair.0.isNaN && abs(pair.0 - pair.1) > 1e-10 * max(1, abs(pair.1)))
        }
        #expect(bad.isEmpty, "\(name): \(bad.count) bars differ, first \(bad.first.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
    }

    @Test func emaAndRSIAgreeWithTheLiteralRecurrences() throws {
        let x = walk.close, n = 14
        var ema = [Double](repeating: .nan, count: x.count)
        ema[n - 1] = x[0..<n].reduce(0, +) / Double(n)
        let k = 2.0 / Double(n + 1)
        for i in n..<x.count { ema[i] = (x[i] - ema[i - 1]) * k + ema[i - 1] }
        expectClose(try Indicators.ema(x, period: n), ema, "EMA")

        var rsi = [Double](repeating: .nan, count: x.count)
        var gain = 0.0, loss = 0.0
        for i in 1...n {
            let d = x[i] - x[i - 1]
            if d > 0 { gain += d } else { loss -= d }
        }
        gain /= Double(n)
        loss /= Double(n)
        rsi[n] = 100 * gain / (gain + loss)
        for i in (n + 1)..<x.count {
            let d = x[i] - x[i - 1]
            gain = (gain * Double(n - 1) + max(d, 0)) / Double(n)
            loss = (loss * Double(n - 1) + max(-d, 0)) / Double(n)
            rsi[i] = 100 * gain / (gain + loss)
        }
        expectClose(try Indicators.rsi(x, period: n), rsi, "RSI")
    }

    @Test func atrAgreesWithTheLiteralRecurrence() throws {
        let (h, l, c) = (walk.high, walk.low, walk.close)
        for warmUp in [WarmUp.taLib, .stockCharts] {
            let n = 14, first = warmUp == .taLib ? 1 : 0
            func tr(_ i: Int) -> Double { i == 0 ? h[0] - l[0] : max(h[i], c[i - 1]) - min(l[i], c[i - 1]) }
            var atr = [Double](repeating: .nan, count: c.count)
            atr[first + n - 1] = (first..<(first + n)).map(tr).reduce(0, +) / Double(n)
            for i in (first + n)..<c.count { atr[i] = (atr[i - 1] * Double(n - 1) + tr(i)) / Double(n) }
            expectClose(try Indicators.atr(high: h, low: l, close: c, period: n, warmUp: warmUp), atr, "ATR \(warmUp)")
        }
    }

    @Test func macdAndBollingerAgreeWithTheLiteralDefinitions() throws {
        let x = walk.close
        func ema(_ v: [Double], _ n: Int, seedEnd: Int) -> [Double] {
            var out = [Double](repeating: .nan, count: v.count)
            out[seedEnd] = v[(seedEnd - n + 1)...seedEnd].reduce(0, +) / Double(n)
            for i in (seedEnd + 1)..<v.count { out[i] = (v[i] - out[i - 1]) * (2.0 / Double(n + 1)) + out[i - 1] }
            return out
        }
        let fast = ema(x, 12, seedEnd: 25), slow = ema(x, 26, seedEnd: 25)
        let line = zip(fast, slow).map { $0 - $1 }
        let signal = ema(line, 9, seedEnd: 33)
        let m = try Indicators.macd(x)
        expectClose(m.line, line.enumerated().map { $0 < 33 ? .nan : $1 }, "MACD line")
        expectClose(m.signal, signal, "MACD signal")
        expectClose(m.histogram, zip(line, signal).map { $1.isNaN ? .nan : $0 - $1 }, "MACD histogram")

        let bands = try Indicators.bollingerBands(x, period: 20, deviations: 2)
        var upper = [Double](repeating: .nan, count: x.count)
        for i in 19..<x.count {
            let w = x[(i - 19)...i], mean = w.reduce(0, +) / 20
            upper[i] = mean + 2 * (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20).squareRoot()
        }
        expectClose(bands.upper, upper, "BB upper")
    }
}
