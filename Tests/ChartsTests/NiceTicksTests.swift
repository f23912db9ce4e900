import Charts
import Foundation
import Testing

/// Heckbert's loose labeling (Graphics Gems I, 1990) worked by hand, and 1-2-5 log ticks.
@Suite("Nice ticks")
struct NiceTicksTests {
    @Test func zeroTo97LabelsByTwenties() {
        // range 97 → nice 100; 100 / 4 = 25 → rounded nice 20; floor(0/20) … ceil(97/20) = 0 … 5.
        #expect(NiceTicks.ticks(min: 0, max: 97, count: 5) == [0, 20, 40, 60, 80, 100])
        #expect(NiceTicks.ticks(min: 0, max: 97, count: 6) == [0, 20, 40, 60, 80, 100])
    }

    @Test func smallDecimalsAreExactDoubles() {
        // range 0.008 → nice 0.01; 0.01 / 4 = 0.0025 → 0.002; 6 · 0.002 … 11 · 0.002.
        #expect(NiceTicks.ticks(min: 0.013, max: 0.021, count: 5) == [0.012, 0.014, 0.016, 0.018, 0.02, 0.022])
    }

    @Test func negativeAndStraddlingRanges() {
        #expect(NiceTicks.ticks(min: -97, max: -3, count: 5) == [-100, -80, -60, -40, -20, 0])
        // range 55.8 → nice 100; 25 → 20; floor(−13.7/20) = −1, ceil(42.1/20) = 3.
        #expect(NiceTicks.ticks(min: -13.7, max: 42.1, count: 5) == [-20, 0, 20, 40, 60])
        #expect(NiceTicks.ticks(min: 42.1, max: -13.7, count: 5) == [-20, 0, 20, 40, 60], "bounds in either order")
    }

    @Test func aFlatSeriesGetsARangeAroundItsValue() {
        // 50 → 45…55 (±10 %): range 10 → 10; 2.5 → 2; 22 · 2 … 28 · 2.
        #expect(NiceTicks.ticks(min: 50, max: 50, count: 5) == [44, 46, 48, 50, 52, 54, 56])
        #expect(NiceTicks.ticks(min: 0, max: 0, count: 5) == [-1, -0.5, 0, 0.5, 1])
        #expect(NiceTicks.ticks(min: -0.002, max: -0.002, count: 3).contains(-0.002))
    }

    @Test func nonFiniteBoundsGiveNoTicks() {
        #expect(NiceTicks.ticks(min: .nan, max: 1, count: 5).isEmpty)
        #expect(NiceTicks.ticks(min: 0, max: .infinity, count: 5).isEmpty)
    }

    @Test func everyRangeGetsEvenOneTwoFiveStepsCoveringIt() {
        var seed: UInt64 = 42
        func next() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for _ in 0..<2_000 {
            let scale = pow(10, (next() * 16).rounded(.down) - 8)
            let a = (next() - 0.5) * 200 * scale, b = a + next() * 100 * scale + 1e-3 * scale
            let count = 2 + Int(next() * 9)
            let ticks = NiceTicks.ticks(min: a, max: b, count: count)
            guard ticks.count >= 2 else {
                Issue.record("\(a)…\(b) count \(count): \(ticks)")
                continue
            }
            let step = ticks[1] - ticks[0]
            let mantissa = step / pow(10, floor(log10(step) + 1e-9))
            #expect([1, 2, 5, 10].contains { abs(mantissa - Double($0)) < 1e-6 }, "\(a)…\(b): step \(step)")
            #expect(ticks.first! <= a + step * 1e-6 && ticks.last! >= b - step * 1e-6, "\(a)…\(b) covered by \(ticks)")
            #expect(zip(ticks, ticks.dropFirst()).allSatisfy { abs(($1 - $0) - step) <= step * 1e-6 })
            #expect(ticks.count <= 2 * count + 3, "\(ticks.count) ticks for count \(count)")
        }
    }

    @Test func logTicksAreOneTwoFivePerDecade() {
        #expect(NiceTicks.logTicks(min: 2, max: 45, count: 5) == [2, 5, 10, 20])
        #expect(NiceTicks.logTicks(min: 10, max: 1_000, count: 5) == [10, 20, 50, 100, 200, 500, 1_000])
        #expect(NiceTicks.logTicks(min: 0.015, max: 0.6, count: 5) == [0.02, 0.05, 0.1, 0.2, 0.5])
    }

    @Test func manyDecadesKeepPowersOfTenOnly() {
        // 19 values of 1-2-5 are more than 2 · 5: powers of ten, every second decade to stay near 5.
        #expect(NiceTicks.logTicks(min: 1, max: 1e6, count: 5) == [1, 100, 1e4, 1e6])
        #expect(NiceTicks.logTicks(min: 1, max: 1e6, count: 8) == [1, 10, 100, 1e3, 1e4, 1e5, 1e6])
    }

    @Test func lessThanHalfADecadeFallsBackToLinearTicksInside() {
        // 1-2-5 in 35…60 is only 50; the linear ticks are 30…60 by 10, of which 40, 50, 60 lie inside.
        #expect(NiceTicks.logTicks(min: 35, max: 60, count: 5) == [40, 50, 60])
        #expect(NiceTicks.logTicks(min: -5, max: 60, count: 5) == NiceTicks.ticks(min: -5, max: 60, count: 5), "non-positive → linear")
    }
}
