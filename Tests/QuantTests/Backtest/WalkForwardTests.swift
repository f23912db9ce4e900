import Quant
import Testing

@Suite struct WalkForwardTests {
    @Test func rollingWindowsTileTheOutOfSampleSpanExactly() throws {
        let windows = try WalkForward.windows(count: 100, inSample: 40, outOfSample: 20)
        #expect(windows == [
            WalkForwardWindow(inSample: 0..<40, outOfSample: 40..<60),
            WalkForwardWindow(inSample: 20..<60, outOfSample: 60..<80),
            WalkForwardWindow(inSample: 40..<80, outOfSample: 80..<100),
        ])
    }

    @Test func anchoredWindowsStartAtZeroAndGrow() throws {
        let windows = try WalkForward.windows(count: 100, inSample: 40, outOfSample: 20, anchored: true)
        #expect(windows.map(\.inSample) == [0..<40, 0..<60, 0..<80])
        #expect(windows.map(\.outOfSample) == [40..<60, 60..<80, 80..<100])
    }

    @Test func lastPartialOutOfSampleWindowIsKeptTruncated() throws {
        let windows = try WalkForward.windows(count: 95, inSample: 40, outOfSample: 20)
        #expect(windows.last == WalkForwardWindow(inSample: 40..<80, outOfSample: 80..<95))
        #expect(windows.count == 3)
        // One period past a full window still yields a one-period window.
        let one = try WalkForward.windows(count: 101, inSample: 40, outOfSample: 20)
        #expect(one.last == WalkForwardWindow(inSample: 60..<100, outOfSample: 100..<101))
        // The smallest legal axis: one OOS period.
        #expect(try WalkForward.windows(count: 41, inSample: 40, outOfSample: 20) == [WalkForwardWindow(inSample: 0..<40, outOfSample: 40..<41)])
    }

    @Test func stepLargerThanOutOfSampleLeavesGapsAndSmallerOverlaps() throws {
        let gaps = try WalkForward.windows(count: 100, inSample: 30, outOfSample: 10, step: 25)
        #expect(gaps.map(\.outOfSample) == [30..<40, 55..<65, 80..<90])
        #expect(gaps.map(\.inSample) == [0..<30, 25..<55, 50..<80])
        let overlapping = try WalkForward.windows(count: 50, inSample: 30, outOfSample: 10, step: 5)
        #expect(overlapping.map(\.outOfSample) == [30..<40, 35..<45, 40..<50, 45..<50])
    }

    @Test func outOfSampleNeverOverlapsItsOwnOrAnotherWindowWhenStepCoversIt() throws {
        for count in 11...60 {
            for inSample in 1...10 {
                for outOfSample in 1...7 {
                    for step in outOfSample...(outOfSample + 3) {
                        for anchored in [false, true] {
                            let windows = try WalkForward.windows(
                                count: count, inSample: inSample, outOfSample: outOfSample, step: step, anchored: anchored)
                            var covered = Set<Int>()
                            for w in windows {
                                #expect(w.inSample.upperBound == w.outOfSample.lowerBound)
                                #expect(w.inSample.count == (anchored ? w.outOfSample.lowerBound : inSample))
                                #expect(w.outOfSample.upperBound <= count && !w.outOfSample.isEmpty)
                                for i in w.outOfSample { #expect(covered.insert(i).inserted) }
                            }
                            if step == outOfSample { #expect(covered == Set(inSample..<count)) }
                        }
                    }
                }
            }
        }
    }

    @Test func rejectsParametersThatLeaveNothingToTest() {
        #expect(throws: QuantError.invalidParameter("count", 40, "must exceed inSample (40) to leave an out-of-sample period")) {
            try WalkForward.windows(count: 40, inSample: 40, outOfSample: 10)
        }
        #expect(throws: QuantError.self) { try WalkForward.windows(count: 100, inSample: 0, outOfSample: 10) }
        #expect(throws: QuantError.self) { try WalkForward.windows(count: 100, inSample: 10, outOfSample: 0) }
        #expect(throws: QuantError.self) { try WalkForward.windows(count: 100, inSample: 10, outOfSample: 5, step: 0) }
    }

    @Test func stitchCompoundsSegmentsInOrderFromTheInitialCapital() throws {
        let curve = try WalkForward.stitch([[0.1, -0.5], [], [0.25]], initialCapital: 1000)
        #expect(curve == [1000, 1100, 550, 687.5])
        #expect(try WalkForward.stitch([], initialCapital: 5) == [5])
    }

    @Test func stitchOfWalkForwardSegmentsEqualsCompoundingTheTestedSpan() throws {
        var generator = SplitMix64(seed: 9)
        let returns = (0..<250).map { _ in (generator.nextUnit() - 0.5) * 0.04 }
        let windows = try WalkForward.windows(count: returns.count, inSample: 60, outOfSample: 21)
        let curve = try WalkForward.stitch(windows.map { Array(returns[$0.outOfSample]) }, initialCapital: 100)
        var equity = 100.0
        for r in returns[60...] { equity *= 1 + r }
        #expect(curve.count == 250 - 60 + 1)
        #expect(curve.last == equity)
    }

    @Test func stitchRejectsNonFiniteInput() {
        #expect(throws: QuantError.nonFinite("segments[1]", index: 0)) { try WalkForward.stitch([[0.1], [.nan]], initialCapital: 1) }
        #expect(throws: QuantError.self) { try WalkForward.stitch([[0.1]], initialCapital: 0) }
        #expect(throws: QuantError.self) { try WalkForward.stitch([[0.1]], initialCapital: .infinity) }
    }
}
