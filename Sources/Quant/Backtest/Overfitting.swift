import Foundation

/// Probability of backtest overfitting (PBO) by combinatorially symmetric cross-validation (CSCV), after
/// Bailey, Borwein, López de Prado and Zhu (2015), "The Probability of Backtest Overfitting", J. Computational
/// Finance 20(4).
///
/// The T × N matrix of per-period returns (T periods, N configurations of one strategy) is cut into S contiguous
/// blocks of `T / S` rows; the first `T mod S` rows are **dropped** so that every block has the same length (the
/// most recent data is kept). Every one of the C(S, S/2) ways to choose S/2 blocks is an in-sample (IS) set, the
/// other blocks its out-of-sample (OOS) set. For each split the configuration with the best IS performance is
/// selected (the lowest index among ties); its OOS rank among all N configurations (1 = worst, N = best, ties get
/// their average rank) gives ω̄ = rank / (N + 1) and the logit λ = ln(ω̄ / (1 − ω̄)). PBO is the share of splits
/// with λ ≤ 0: how often the IS winner is at or below the OOS median. N identical configurations therefore give
/// λ = 0 everywhere and PBO = 1 (selection adds nothing).
public enum Overfitting {
    /// How a configuration's returns over a set of blocks are scored.
    public enum Performance: String, Sendable, Hashable, Codable {
        /// Per-period Sharpe ratio `mean / std(ddof=1)`, not annualised, no risk-free rate. A configuration whose
        /// returns are constant over the set (variance ≤ 1e-12 · mean(r²), e.g. one that never trades) scores 0.
        case sharpe
        /// Mean per-period return.
        case meanReturn
    }

    /// Largest accepted S: C(20, 10) = 184,756 splits.
    public static let maximumBlocks = 20

    /// Runs CSCV over `returns[t][n]` (row t = period, column n = configuration).
    ///
    /// Each split costs O(N·S) thanks to per-block sums and sums of squares computed once, so 2,520 × 100 with
    /// S = 16 (12,870 splits) takes a fraction of a second.
    ///
    /// - Throws: `QuantError` when the matrix is empty, ragged or not finite, N < 2, `blocks` is odd, below 2 or above
    ///   ``maximumBlocks``, or a half would hold fewer than two rows.
    public static func probabilityOfBacktestOverfitting(
        returns: [[Double]], blocks: Int = 16, performance: Performance = .sharpe
    ) throws(QuantError) -> OverfittingAnalysis {
        let table = try BlockTable(returns: returns, blocks: blocks)
        return table.analyse(performance: performance)
    }
}

/// What CSCV found; arrays are indexed by split, in the order of Python's `itertools.combinations(range(S), S/2)`
/// for the IS block sets.
public struct OverfittingAnalysis: Sendable, Hashable {
    /// Share of splits whose logit is ≤ 0.
    public let probabilityOfOverfitting: Double
    /// λ of each split.
    public let logits: [Double]
    public let logitSummary: LogitSummary
    /// The configuration (column) selected in each split.
    public let selectedConfigurations: [Int]
    /// IS performance of the selected configuration, per split.
    public let inSamplePerformance: [Double]
    /// OOS performance of the selected configuration, per split.
    public let outOfSamplePerformance: [Double]
    /// Least-squares fit `OOS = intercept + slope · IS` over the splits (the paper's performance degradation; a
    /// negative slope means the better a configuration looked IS, the worse it did OOS). `nil` when every split
    /// has the same IS performance.
    public let degradation: LinearFit?
    /// Share of splits whose selected configuration has OOS performance < 0.
    public let probabilityOfLoss: Double
    /// S.
    public let blocks: Int
    /// Rows per block, `T / S`.
    public let blockLength: Int
    /// Leading rows left out, `T mod S`.
    public let droppedRows: Int
}

/// Mean, sample standard deviation (ddof 1), median (mean of the middle two for an even count), minimum and maximum.
public struct LogitSummary: Sendable, Hashable {
    public let mean: Double
    public let standardDeviation: Double
    public let median: Double
    public let minimum: Double
    public let maximum: Double

    init(_ values: [Double]) {
        let moments = Moments(values)
        let sorted = values.sorted()
        let middle = sorted.count / 2
        mean = moments.mean
        standardDeviation = moments.sampleStandardDeviation ?? .nan
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        minimum = moments.minimum
        maximum = moments.maximum
    }
}

/// Ordinary least squares `y = intercept + slope · x`.
public struct LinearFit: Sendable, Hashable {
    public let slope: Double
    public let intercept: Double

    init?(x: [Double], y: [Double]) {
        let mx = Moments(x), my = Moments(y)
        guard !mx.isConstant, mx.sumOfSquares > 0 else { return nil }
        var cross = 0.0
        for i in x.indices { cross += (x[i] - mx.mean) * (y[i] - my.mean) }
        slope = cross / mx.sumOfSquares
        intercept = my.mean - slope * mx.mean
    }
}

/// Per-block, per-configuration sums and sums of squares: everything CSCV needs, laid out configuration-major.
private struct BlockTable {
    let configurations: Int
    let blocks: Int
    let blockLength: Int
    let droppedRows: Int
    /// `sums[c * blocks + b]`.
    var sums: [Double]
    var squares: [Double]

    init(returns: [[Double]], blocks: Int) throws(QuantError) {
        guard let first = returns.first else { throw .empty("returns") }
        guard blocks >= 2, blocks % 2 == 0, blocks <= Overfitting.maximumBlocks else {
            throw .invalidParameter("blocks", blocks, "must be even, from 2 to \(Overfitting.maximumBlocks)")
        }
        let n = first.count
        guard n >= 2 else { throw .invalidParameter("configurations", n, "need at least 2 columns to compare") }
        let length = returns.count / blocks
        guard length * blocks / 2 >= 2 else {
            throw .invalidParameter("returns.count", returns.count, "\(blocks) blocks leave fewer than 2 rows per half")
        }
        configurations = n
        self.blocks = blocks
        blockLength = length
        droppedRows = returns.count % blocks
        sums = Array(repeating: 0, count: n * blocks)
        squares = Array(repeating: 0, count: n * blocks)
        for (t, row) in returns.enumerated() {
            guard row.count == n else { throw .lengthMismatch("returns[\(t)]", row.count, "returns[0]", n) }
            try QuantError.requireFinite(row, "returns[\(t)]")
            guard t >= droppedRows else { continue }
            let block = (t - droppedRows) / length
            for c in 0..<n {
                sums[c * blocks + block] += row[c]
                squares[c * blocks + block] += row[c] * row[c]
            }
        }
    }

    func analyse(performance: Overfitting.Performance) -> OverfittingAnalysis {
        let n = configurations, half = blocks / 2
        let rows = Double(half * blockLength)
        var chosen = Array(0..<half)
        var logits: [Double] = [], selected: [Int] = [], isScores: [Double] = [], oosScores: [Double] = []
        var inSample = [Double](repeating: 0, count: n), outOfSample = [Double](repeating: 0, count: n)
        var member = [Bool](repeating: false, count: blocks)
        sums.withUnsafeBufferPointer { sums in
            squares.withUnsafeBufferPointer { squares in
                repeat {
                    for b in 0..<blocks { member[b] = false }
                    for b in chosen { member[b] = true }
                    for c in 0..<n {
                        var s1 = 0.0, q1 = 0.0, s2 = 0.0, q2 = 0.0
                        let base = c * blocks
                        for b in 0..<blocks {
                            if member[b] {
                                s1 += sums[base + b]
                                q1 += squares[base + b]
                            } else {
                                s2 += sums[base + b]
                                q2 += squares[base + b]
                            }
                        }
                        inSample[c] = Self.score(sum: s1, squares: q1, rows: rows, performance)
                        outOfSample[c] = Self.score(sum: s2, squares: q2, rows: rows, performance)
                    }
                    var best = 0
                    for c in 1..<n where inSample[c] > inSample[best] { best = c }
                    let target = outOfSample[best]
                    var below = 0, equal = 0
                    for value in outOfSample {
                        if value < target { below += 1 } else if value == target { equal += 1 }
                    }
                    let rank = Double(below) + Double(equal + 1) / 2
                    let omega = rank / Double(n + 1)
                    logits.append(log(omega / (1 - omega)))
                    selected.append(best)
                    isScores.append(inSample[best])
                    oosScores.append(target)
                } while Self.advance(&chosen, upTo: blocks)
            }
        }
        let splits = Double(logits.count)
        return OverfittingAnalysis(
            probabilityOfOverfitting: Double(logits.count { $0 <= 0 }) / splits,
            logits: logits,
            logitSummary: LogitSummary(logits),
            selectedConfigurations: selected,
            inSamplePerformance: isScores,
            outOfSamplePerformance: oosScores,
            degradation: LinearFit(x: isScores, y: oosScores),
            probabilityOfLoss: Double(oosScores.count { $0 < 0 }) / splits,
            blocks: blocks, blockLength: blockLength, droppedRows: droppedRows)
    }

    private static func score(sum: Double, squares: Double, rows: Double, _ performance: Overfitting.Performance) -> Double {
        let mean = sum / rows
        switch performance {
        case .meanReturn:
            return mean
        case .sharpe:
            let variance = (squares - sum * mean) / (rows - 1)
            guard variance > 1e-12 * squares / rows else { return 0 }
            return mean / variance.squareRoot()
        }
    }

    /// Next k-combination of 0..<n in lexicographic order; false after the last.
    private static func advance(_ combination: inout [Int], upTo n: Int) -> Bool {
        let k = combination.count
        var i = k - 1
        while i >= 0, combination[i] == n - k + i { i -= 1 }
        guard i >= 0 else { return false }
        combination[i] += 1
        for j in (i + 1)..<k { combination[j] = combination[j - 1] + 1 }
        return true
    }
}
