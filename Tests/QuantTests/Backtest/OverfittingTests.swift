import Foundation
import Quant
import Testing

/// CSCV / PBO. Reference numbers come from `Tests/QuantTests/Fixtures/pbo_reference.py`, a direct numpy +
/// `itertools.combinations` + `scipy.stats.rankdata` implementation that recomputes every half from raw rows
/// (no block sums), run on the same SplitMix64 matrices (`python3 Tests/QuantTests/Fixtures/pbo_reference.py`).
@Suite struct OverfittingTests {
    struct Reference: Sendable, CustomStringConvertible {
        let name: String
        let rows: Int, columns: Int, seed: UInt64, drift: Double, blocks: Int
        let performance: Overfitting.Performance
        let splits: Int
        let pbo: Double
        let logitMean: Double, logitStd: Double, logitMedian: Double, logitMin: Double, logitMax: Double
        let slope: Double, intercept: Double
        let probabilityOfLoss: Double
        let firstLogits: [Double]
        var description: String { name }
    }

    static let references = [
        Reference(
            name: "drift", rows: 1003, columns: 20, seed: 42, drift: 0.0003, blocks: 16, performance: .sharpe, splits: 12870,
            pbo: 0.027195027195027196, logitMean: 2.0203872046670597, logitStd: 0.6690492524130195,
            logitMedian: 2.2512917986064953, logitMin: -1.4469189829363254, logitMax: 2.99573227355399,
            slope: -0.6148005689096266, intercept: 0.3567668769760555, probabilityOfLoss: 0,
            firstLogits: [2.2512917986064953, 2.99573227355399, 1.7917594692280545]),
        Reference(
            name: "weak-drift", rows: 1003, columns: 20, seed: 42, drift: 0.00005, blocks: 16, performance: .sharpe, splits: 12870,
            pbo: 0.1658119658119658, logitMean: 0.9761566990285881, logitStd: 1.113035465805994,
            logitMedian: 1.1631508098056806, logitMin: -2.995732273553991, logitMax: 2.99573227355399,
            slope: -0.49714487639237104, intercept: 0.11210438869366228, probabilityOfLoss: 0.1114996114996115,
            firstLogits: [1.7917594692280545, 2.2512917986064953, 1.4469189829363254]),
        Reference(
            name: "drift-mean", rows: 1003, columns: 20, seed: 42, drift: 0.0003, blocks: 16, performance: .meanReturn, splits: 12870,
            pbo: 0.02773892773892774, logitMean: 1.8830777195862423, logitStd: 0.6555155929277879,
            logitMedian: 2.2512917986064953, logitMin: -1.4469189829363254, logitMax: 2.99573227355399,
            slope: -0.5859801943046056, intercept: 0.0019448940387063768, probabilityOfLoss: 0,
            firstLogits: [2.2512917986064953, 2.2512917986064953, 1.7917594692280545]),
        Reference(
            name: "noise", rows: 400, columns: 10, seed: 7, drift: 0, blocks: 8, performance: .sharpe, splits: 70,
            pbo: 0.6142857142857143, logitMean: -0.41407985950795945, logitStd: 1.1197949327594017,
            logitMedian: -0.1823215567939546, logitMin: -2.3025850929940455, logitMax: 1.5040773967762744,
            slope: -0.9377952742558884, intercept: 0.05328196165991461, probabilityOfLoss: 0.7571428571428571,
            firstLogits: [0.1823215567939544, -0.9808292530117264, 0.1823215567939544]),
    ]

    /// `r[t][n] = (u − 0.5) · 0.02 + drift · (n mod 4)`, u from SplitMix64 drawn row by row (as the Python script).
    static func matrix(rows: Int, columns: Int, seed: UInt64, drift: Double) -> [[Double]] {
        var generator = SplitMix64(seed: seed)
        return (0..<rows).map { _ in
            (0..<columns).map { n in (generator.nextUnit() - 0.5) * 0.02 + drift * Double(n % 4) }
        }
    }

    @Test(arguments: references)
    func matchesTheIndependentPythonImplementation(_ reference: Reference) throws {
        let returns = Self.matrix(rows: reference.rows, columns: reference.columns, seed: reference.seed, drift: reference.drift)
        let result = try Overfitting.probabilityOfBacktestOverfitting(
            returns: returns, blocks: reference.blocks, performance: reference.performance)
        #expect(result.logits.count == reference.splits)
        #expect(result.droppedRows == reference.rows % reference.blocks)
        #expect(result.blockLength == reference.rows / reference.blocks)
        expectClose(result.probabilityOfOverfitting, reference.pbo, relative: 1e-12, "PBO")
        expectClose(result.logitSummary.mean, reference.logitMean, relative: 1e-9, "logit mean")
        expectClose(result.logitSummary.standardDeviation, reference.logitStd, relative: 1e-9, "logit std")
        expectClose(result.logitSummary.median, reference.logitMedian, relative: 1e-9, "logit median")
        expectClose(result.logitSummary.minimum, reference.logitMin, relative: 1e-9, "logit min")
        expectClose(result.logitSummary.maximum, reference.logitMax, relative: 1e-9, "logit max")
        expectClose(result.degradation?.slope, reference.slope, relative: 1e-8, "degradation slope")
        expectClose(result.degradation?.intercept, reference.intercept, relative: 1e-8, absolute: 1e-12, "degradation intercept")
        expectClose(result.probabilityOfLoss, reference.probabilityOfLoss, relative: 1e-12, "probability of loss")
        for (i, expected) in reference.firstLogits.enumerated() {
            expectClose(result.logits[i], expected, relative: 1e-9, "logit[\(i)]")
        }
    }

    @Test func identicalConfigurationsGiveZeroLogitsAndFullOverfitting() throws {
        var generator = SplitMix64(seed: 3)
        let returns = (0..<320).map { _ in Array(repeating: (generator.nextUnit() - 0.5) * 0.02, count: 6) }
        let result = try Overfitting.probabilityOfBacktestOverfitting(returns: returns, blocks: 8)
        #expect(result.logits.allSatisfy { $0 == 0 })
        #expect(result.probabilityOfOverfitting == 1)
        #expect(result.selectedConfigurations.allSatisfy { $0 == 0 })
    }

    @Test func aConfigurationThatDominatesEveryBlockIsNeverOverfit() throws {
        var generator = SplitMix64(seed: 11)
        // Column 0 earns the best of the others plus 0.001 on every row, so it leads every half IS and OOS.
        let returns = (0..<480).map { _ -> [Double] in
            let others = (0..<9).map { _ in (generator.nextUnit() - 0.5) * 0.02 }
            return [others.max()! + 0.001] + others
        }
        let result = try Overfitting.probabilityOfBacktestOverfitting(returns: returns, blocks: 16, performance: .meanReturn)
        #expect(result.probabilityOfOverfitting == 0)
        #expect(result.selectedConfigurations.allSatisfy { $0 == 0 })
        let top = log((10.0 / 11) / (1.0 / 11))
        #expect(result.logits.allSatisfy { abs($0 - top) < 1e-12 })
    }

    @Test func pureNoiseGivesPBONearOneHalf() throws {
        var total = 0.0
        let seeds: [UInt64] = Array(100..<112)
        for seed in seeds {
            let returns = Self.matrix(rows: 600, columns: 30, seed: seed, drift: 0)
            total += try Overfitting.probabilityOfBacktestOverfitting(returns: returns, blocks: 10).probabilityOfOverfitting
        }
        let mean = total / Double(seeds.count)
        #expect(abs(mean - 0.5) < 0.12, "mean PBO over noise \(mean)")
    }

    @Test func constantConfigurationScoresZeroSharpe() throws {
        // Column 0 earns a constant 0.1% (zero variance: Sharpe defined as 0, not infinite); column 1 loses on
        // average (per-half Sharpe about −0.35, about four standard errors below 0), so column 0 wins every split.
        var generator = SplitMix64(seed: 5)
        let returns = (0..<400).map { _ in [0.001, (generator.nextUnit() - 0.6) * 0.02] }
        let result = try Overfitting.probabilityOfBacktestOverfitting(returns: returns, blocks: 4)
        #expect(result.logits.count == 6)
        #expect(result.selectedConfigurations == Array(repeating: 0, count: 6))
        #expect(result.inSamplePerformance == Array(repeating: 0, count: 6))
        #expect(result.outOfSamplePerformance == Array(repeating: 0, count: 6))
        #expect(result.probabilityOfOverfitting == 0)
        #expect(result.probabilityOfLoss == 0)
        #expect(result.degradation == nil)
    }

    @Test func twoThousandFiveHundredRowsByOneHundredConfigurationsIsFast() throws {
        let returns = Self.matrix(rows: 2520, columns: 100, seed: 1, drift: 0.0001)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try Overfitting.probabilityOfBacktestOverfitting(returns: returns, blocks: 16)
        let elapsed = clock.now - start
        #expect(result.logits.count == 12870)
        // Debug builds are several times slower than release; the bound still catches an O(T) per-split regression.
        #expect(elapsed < .seconds(3), "CSCV took \(elapsed)")
    }

    @Test func rejectsBadShapesAndParameters() {
        let good = Self.matrix(rows: 64, columns: 3, seed: 1, drift: 0)
        #expect(throws: QuantError.self) { try Overfitting.probabilityOfBacktestOverfitting(returns: [], blocks: 4) }
        #expect(throws: QuantError.self) { try Overfitting.probabilityOfBacktestOverfitting(returns: good, blocks: 3) }
        #expect(throws: QuantError.self) { try Overfitting.probabilityOfBacktestOverfitting(returns: good, blocks: 22) }
        #expect(throws: QuantError.self) { try Overfitting.probabilityOfBacktestOverfitting(returns: good.map { [$0[0]] }, blocks: 4) }
        #expect(throws: QuantError.self) {
            try Overfitting.probabilityOfBacktestOverfitting(returns: Array(good.prefix(3)), blocks: 4)
        }
        var ragged = good
        ragged[10] = [0.1]
        #expect(throws: QuantError(.lengthMismatch, "returns[10] has 1 values but returns[0] has 3")) {
            try Overfitting.probabilityOfBacktestOverfitting(returns: ragged, blocks: 4)
        }
        var bad = good
        bad[5][2] = .nan
        #expect(throws: QuantError.nonFinite("returns[5]", index: 2)) {
            try Overfitting.probabilityOfBacktestOverfitting(returns: bad, blocks: 4)
        }
    }
}
