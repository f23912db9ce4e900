import Foundation

/// Thrown by ``Fixed64`` when a result does not fit; the engine then repeats the pass in `Decimal`.
struct LedgerOverflow: Error {}

/// The exact arithmetic the accounting pass needs. `Decimal` is the reference; ``Fixed64`` computes the same
/// values about ten times faster on Linux and throws ``LedgerOverflow`` instead of rounding.
protocol LedgerNumber: Comparable, Sendable {
    static var zero: Self { get }
    init?(exactly value: Decimal)
    var decimal: Decimal { get }
    var double: Double { get }
    var isZero: Bool { get }
    var negated: Self { get }
    func plus(_ other: Self) throws(LedgerOverflow) -> Self
    func times(_ other: Self) throws(LedgerOverflow) -> Self
    /// `self · part / whole` rounded half-even to ``costScale`` decimal places (the cost of a partial disposal).
    func prorated(_ part: Self, of whole: Self) throws(LedgerOverflow) -> Self
}

extension LedgerNumber {
    func minus(_ other: Self) throws(LedgerOverflow) -> Self { try plus(other.negated) }
}

/// Decimal places kept by the cost allocated to a partial disposal; the rest of the cost stays in the lot.
let costScale = 10

extension Decimal: LedgerNumber {
    init?(exactly value: Decimal) { self = value }
    var decimal: Decimal { self }
    var double: Double { NSDecimalNumber(decimal: self).doubleValue }
    var negated: Decimal { -self }
    func plus(_ other: Decimal) -> Decimal { self + other }
    func times(_ other: Decimal) -> Decimal { self * other }
    func prorated(_ part: Decimal, of whole: Decimal) -> Decimal {
        var exact = self * part / whole
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, costScale, .bankers)
        return rounded
    }
}

/// An exact decimal `mantissa / 10^scale` with a 64-bit mantissa and `scale` in 0...18.
struct Fixed64: LedgerNumber {
    var mantissa: Int64
    var scale: Int

    static let zero = Fixed64(mantissa: 0, scale: 0)
    private static let powers: [Int64] = (0...18).map { (0..<$0).reduce(Int64(1)) { p, _ in p * 10 } }

    init(mantissa: Int64, scale: Int) {
        self.mantissa = mantissa
        self.scale = scale
    }

    init?(exactly value: Decimal) {
        if value.isZero {
            self = .zero
            return
        }
        // Significands below 2^53 survive the trip through Double exactly.
        let significand = NSDecimalNumber(decimal: value.significand).doubleValue
        guard significand < 9_007_199_254_740_992, significand == significand.rounded() else { return nil }
        var m = Int64(significand)
        var exponent = value.exponent
        while exponent > 0 {
            let (p, o) = m.multipliedReportingOverflow(by: 10)
            if o { return nil }
            m = p
            exponent -= 1
        }
        guard -exponent <= 18 else { return nil }
        mantissa = value.sign == .minus ? -m : m
        scale = -exponent
    }

    var decimal: Decimal {
        Decimal(sign: mantissa < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(mantissa.magnitude))
    }

    var double: Double { Double(mantissa) / Double(Fixed64.powers[scale]) }
    var isZero: Bool { mantissa == 0 }
    var negated: Fixed64 { Fixed64(mantissa: -mantissa, scale: scale) }

    /// `mantissa · 10^by`, or `nil` on overflow.
    private func scaledMantissa(by digits: Int) -> Int64? {
        let (p, o) = mantissa.multipliedReportingOverflow(by: Fixed64.powers[digits])
        return o ? nil : p
    }

    func plus(_ other: Fixed64) throws(LedgerOverflow) -> Fixed64 {
        let s = max(scale, other.scale)
        guard let a = scaledMantissa(by: s - scale), let b = other.scaledMantissa(by: s - other.scale) else { throw LedgerOverflow() }
        let (sum, o) = a.addingReportingOverflow(b)
        if o { throw LedgerOverflow() }
        return Fixed64(mantissa: sum, scale: s)
    }

    func times(_ other: Fixed64) throws(LedgerOverflow) -> Fixed64 {
        var (m, o) = mantissa.multipliedReportingOverflow(by: other.mantissa)
        if o { throw LedgerOverflow() }
        var s = scale + other.scale
        while s > 0 && m % 10 == 0 {
            m /= 10
            s -= 1
        }
        guard s <= 18 else { throw LedgerOverflow() }
        return Fixed64(mantissa: m, scale: s)
    }

    func prorated(_ part: Fixed64, of whole: Fixed64) throws(LedgerOverflow) -> Fixed64 {
        // Nonnegative operands only (costs and quantities are); anything else takes the Decimal path.
        guard mantissa >= 0, part.mantissa >= 0, whole.mantissa > 0 else { throw LedgerOverflow() }
        // value · 10^costScale = m · pm · 10^k / wm with k = costScale − scale − part.scale + whole.scale.
        let k = costScale - scale - part.scale + whole.scale
        var numerator = UInt64(mantissa).multipliedFullWidth(by: UInt64(part.mantissa))
        var denominator = UInt64(whole.mantissa)
        if k >= 0 {
            guard k <= 18 else { throw LedgerOverflow() }
            let p = UInt64(Fixed64.powers[k])
            let low = numerator.low.multipliedFullWidth(by: p)
            let high = numerator.high.multipliedReportingOverflow(by: p)
            let (h, o) = high.partialValue.addingReportingOverflow(low.high)
            if high.overflow || o { throw LedgerOverflow() }
            numerator = (h, low.low)
        } else {
            guard -k <= 18 else { throw LedgerOverflow() }
            let (d, o) = denominator.multipliedReportingOverflow(by: UInt64(Fixed64.powers[-k]))
            if o { throw LedgerOverflow() }
            denominator = d
        }
        guard numerator.high < denominator else { throw LedgerOverflow() }
        var (q, r) = denominator.dividingFullWidth(numerator)
        if r > denominator - r || (r == denominator - r && q & 1 == 1) { q += 1 }
        guard q <= UInt64(Int64.max) else { throw LedgerOverflow() }
        return Fixed64(mantissa: Int64(q), scale: costScale)
    }

    /// Exact comparison through a 128-bit product, so it never overflows.
    private static func compare(_ a: Fixed64, _ b: Fixed64) -> Int {
        if a.scale == b.scale { return a.mantissa < b.mantissa ? -1 : (a.mantissa == b.mantissa ? 0 : 1) }
        if (a.mantissa < 0) != (b.mantissa < 0) { return a.mantissa < 0 ? -1 : 1 }
        let s = max(a.scale, b.scale)
        let x = a.mantissa.multipliedFullWidth(by: Fixed64.powers[s - a.scale])
        let y = b.mantissa.multipliedFullWidth(by: Fixed64.powers[s - b.scale])
        if x.high != y.high { return x.high < y.high ? -1 : 1 }
        return x.low < y.low ? -1 : (x.low == y.low ? 0 : 1)
    }

    static func < (a: Fixed64, b: Fixed64) -> Bool { compare(a, b) < 0 }
    static func == (a: Fixed64, b: Fixed64) -> Bool { compare(a, b) == 0 }
}
