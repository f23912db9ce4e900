import Foundation

/// Axis tick values that people read easily: steps of 1, 2 or 5 × 10^k.
///
/// Linear ticks follow Heckbert's "loose labeling" (Paul S. Heckbert, "Nice Numbers for Graph Labels",
/// Graphics Gems I, 1990): the range is rounded to a nice number, the step to a nice number close to
/// range / (count − 1) (factor < 1.5 → 1, < 3 → 2, < 7 → 5, else 10), and the ticks run from
/// floor(min / step) · step to ceil(max / step) · step, so they cover [min, max]. Tick values are built as an
/// integer times a power of ten and divided (not multiplied) by 10^k for negative k, so `0.014` is the
/// double nearest 0.014, not 0.014000000000000002.
public enum NiceTicks {
    /// Heckbert's loose ticks covering [min, max] with about `count` ticks (`count` below 2 counts as 2).
    ///
    /// `min > max` is swapped. A flat range (min == max) is widened before labelling: to −1...1 around 0,
    /// otherwise by 10 % of |min| on each side (50 → 45...55 → 44, 46, …, 56). Non-finite input gives `[]`.
    /// Example: 0...97 with count 5 or 6 → 0, 20, 40, 60, 80, 100.
    public static func ticks(min: Double, max: Double, count: Int) -> [Double] {
        guard min.isFinite, max.isFinite else { return [] }
        var (lo, hi) = min <= max ? (min, max) : (max, min)
        if lo == hi {
            if lo == 0 {
                (lo, hi) = (-1, 1)
            } else {
                let delta = lo.magnitude * 0.1
                (lo, hi) = (lo - delta, hi + delta)
            }
        }
        let count = Swift.max(count, 2)
        let range = niceNumber(hi - lo, round: false)
        let step = niceNumber(range.value / Double(count - 1), round: true)
        let first = (lo / step.value + 1e-9).rounded(.down)
        let last = (hi / step.value - 1e-9).rounded(.up)
        guard last - first < 10_000 else { return [] }
        return stride(from: first, through: last, by: 1).map { value(Int64($0) * step.mantissa, exponent: step.exponent) }
    }

    /// Ticks for a logarithmic axis over [min, max] (both > 0), all inside [min, max].
    ///
    /// The 1-2-5 values of each decade in range when there are at least 3 and at most 2 × `count` of them;
    /// when there are more, the powers of ten only (every n-th decade if still too many); when the range holds
    /// fewer than 3 of them (less than about half a decade), the linear ticks of `ticks(min:max:count:)` that fall
    /// inside [min, max] — on a short log axis evenly spaced values read best. Non-positive or non-finite
    /// bounds fall back to the linear ticks.
    public static func logTicks(min: Double, max: Double, count: Int) -> [Double] {
        let (lo, hi) = min <= max ? (min, max) : (max, min)
        let count = Swift.max(count, 2)
        guard lo > 0, hi.isFinite, lo < hi else { return ticks(min: lo, max: hi, count: count) }
        let inRange = { (v: Double) in v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) }
        let firstDecade = Int(log10(lo).rounded(.down)), lastDecade = Int(log10(hi).rounded(.up))
        var oneTwoFive: [Double] = []
        var powers: [Double] = []
        for exponent in firstDecade...lastDecade {
            for mantissa: Int64 in [1, 2, 5] {
                let v = value(mantissa, exponent: exponent)
                if inRange(v) {
                    oneTwoFive.append(v)
                    if mantissa == 1 { powers.append(v) }
                }
            }
        }
        if oneTwoFive.count < 3 {
            return ticks(min: lo, max: hi, count: count).filter(inRange)
        }
        if oneTwoFive.count <= 2 * count { return oneTwoFive }
        let every = Swift.max(1, (powers.count + count - 1) / count)
        return powers.enumerated().filter { $0.offset % every == 0 }.map(\.element)
    }

    /// Heckbert's nice number near `x` (> 0) as mantissa (1, 2 or 5) × 10^exponent.
    static func niceNumber(_ x: Double, round: Bool) -> (mantissa: Int64, exponent: Int, value: Double) {
        var exponent = Int(log10(x).rounded(.down))
        let fraction = x / pow(10, Double(exponent))
        var mantissa: Int64
        if round {
            mantissa = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            mantissa = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        if mantissa == 10 {
            mantissa = 1
            exponent += 1
        }
        return (mantissa, exponent, value(mantissa, exponent: exponent))
    }

    /// `integer × 10^exponent`, correctly rounded for the exponents charts use (|exponent| ≤ 22).
    static func value(_ integer: Int64, exponent: Int) -> Double {
        exponent >= 0 ? Double(integer) * pow(10, Double(exponent)) : Double(integer) / pow(10, Double(-exponent))
    }

    /// Decimals needed to print every value exactly at its tick precision (at most 8).
    static func decimals(for values: [Double]) -> Int {
        var needed = 0
        for v in values where v.isFinite {
            var d = needed
            while d < 8 {
                let scaled = v * pow(10, Double(d))
                if (scaled - scaled.rounded()).magnitude <= 1e-6 * Swift.max(1, scaled.magnitude) { break }
                d += 1
            }
            needed = Swift.max(needed, d)
        }
        return needed
    }
}
