import Foundation

extension StandardNormal {
    /// CDF Φ(x) = erfc(−x/√2) / 2. `erfc` keeps full relative precision in the lower tail, where
    /// `(1 + erf(x/√2)) / 2` would cancel to 0 long before the true value underflows.
    static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }
}
