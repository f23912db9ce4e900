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
        // Two-pass moments per series; cross products are then one pass per pair, without temporary arrays.
        let moments = series.map { Moments($0) }
        var matrix = [[Double?]](repeating: [Double?](repeating: nil, count: series.count), count: series.count)
        for i in series.indices where n >= 2 && !moments[i].isConstant {
            matrix[i][i] = 1
            for j in (i + 1)..<series.count where !moments[j].isConstant {
                let meanX = moments[i].mean, meanY = moments[j].mean
                var cross = 0.0
                series[i].withUnsafeBufferPointer { x in
                    series[j].withUnsafeBufferPointer { y in
                        for k in 0..<n { cross += (x[k] - meanX) * (y[k] - meanY) }
                    }
                }
                let r = Swift.min(1, Swift.max(-1, cross / (moments[i].sumOfSquares * moments[j].sumOfSquares).squareRoot()))
                matrix[i][j] = r
                matrix[j][i] = r
            }
        }
        return matrix
    }
}
