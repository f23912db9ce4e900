/// Count, mean, sample variance and range of a series, computed in two passes (mean first, then squared
/// deviations) so the variance matches numpy's `var(ddof=1)` to rounding.
struct Moments {
    let count: Int
    let mean: Double
    /// Sum of squared deviations from the mean.
    let sumOfSquares: Double
    let minimum: Double
    let maximum: Double

    init(count: Int, mean: Double, sumOfSquares: Double, minimum: Double, maximum: Double) {
        self.count = count
        self.mean = mean
        self.sumOfSquares = sumOfSquares
        self.minimum = minimum
        self.maximum = maximum
    }

    init(_ values: UnsafeBufferPointer<Double>) {
        count = values.count
        var sum = 0.0, lo = Double.infinity, hi = -Double.infinity
        for x in values {
            sum += x
            lo = Swift.min(lo, x)
            hi = Swift.max(hi, x)
        }
        let mean = count > 0 ? sum / Double(count) : .nan
        var squares = 0.0
        for x in values {
            let d = x - mean
            squares += d * d
        }
        self.mean = mean
        sumOfSquares = squares
        minimum = lo
        maximum = hi
    }

    init(_ values: [Double]) {
        self = values.withUnsafeBufferPointer { Moments($0) }
    }

    /// True when every value is the same: the deviation is then exactly zero, whatever rounding left in
    /// `sumOfSquares` (empyrical's `_zero_dispersion_std`).
    var isConstant: Bool { minimum == maximum }

    /// Sample standard deviation (ddof = 1); `nil` below two values, 0 for a constant series.
    var sampleStandardDeviation: Double? {
        guard count >= 2 else { return nil }
        return isConstant ? 0 : (sumOfSquares / Double(count - 1)).squareRoot()
    }
}
