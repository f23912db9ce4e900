extension Metrics {
    /// Pearson correlation matrix of equally long series (rows and columns in input order):
    /// `sum(dx dy) / sqrt(sum(dx²) sum(dy²))` with deviations from each series' mean, clipped to [-1, 1]
    /// as numpy's `corrcoef` does. An entry is `nil` when either series is constant or has one value.
    ///
    /// - Throws: `QuantError` when no series is given, one is empty, holds a non-finite value or differs in length.
    public static func correlationMatrix(_ series: [[Double]]) throws(QuantError) -> [[Double?]] {
        guard let first = series.first else { throw .empty("series") }
        for (i, values) in series.enumerated() {
            try QuantError.requireSeries(values, "series[\(i)]", count: first.count, of: "series[0]")
        }
        let n = first.count
        let deviations = series.map { values -> [Double] in
            let mean = values.reduce(0, +) / Double(n)
            return values.map { $0 - mean }
        }
        let moments = series.map { Moments($0) }
        let squares = deviations.map { d in d.reduce(0) { $0 + $1 * $1 } }
        var matrix = [[Double?]](repeating: [Double?](repeating: nil, count: series.count), count: series.count)
        for i in series.indices {
            for j in i..<series.count {
                guard n >= 2, !moments[i].isConstant, !moments[j].isConstant else { continue }
                if i == j {
                    matrix[i][i] = 1
                    continue
                }
                var cross = 0.0
                deviations[i].withUnsafeBufferPointer { a in
                    deviations[j].withUnsafeBufferPointer { b in
                        for k in 0..<n { cross += a[k] * b[k] }
                    }
                }
                let r = Swift.min(1, Swift.max(-1, cross / (squares[i] * squares[j]).squareRoot()))
                matrix[i][j] = r
                matrix[j][i] = r
            }
        }
        return matrix
    }
}
