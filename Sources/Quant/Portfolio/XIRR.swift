import Foundation

/// One dated cash flow from the investor's side: money paid in is negative, money received positive.
public struct DatedFlow: Sendable, Hashable, Codable {
    public var date: LocalDate
    public var amount: Double

    public init(date: LocalDate, amount: Double) {
        self.date = date
        self.amount = amount
    }
}

/// Money-weighted return: the annual rate `r` with `Σ c_i (1 + r)^(−t_i) = 0`, `t_i` = days from the first
/// flow / 365 (ACT/365, as Excel's XIRR).
public enum XIRR {
    /// Solves by Newton's method from 10% until a step is below 1e-12 (relative), then polishes while the
    /// residual shrinks; if Newton leaves (−1, ∞) or fails to converge in 100 steps, brackets a sign change on
    /// a grid of rates in (−1, 1e6] and bisects it down to a few ulps (the bracket is the safety net, so plain
    /// bisection's sureness matters more than Brent's speed).
    /// Throws when the flows cannot have a root: fewer than two flows, or all of one sign.
    public static func rate(_ flows: [DatedFlow]) throws(QuantError) -> Double {
        guard flows.contains(where: { $0.amount > 0 }), flows.contains(where: { $0.amount < 0 }) else {
            throw QuantError(.invalidParameter, "XIRR has no solution: the flows need at least one negative and one positive amount")
        }
        let first = flows.map(\.date).min()!
        let times = flows.map { Double(first.days(to: $0.date)) / 365 }
        let amounts = flows.map(\.amount)
        func npv(_ r: Double) -> (value: Double, derivative: Double) {
            var v = 0.0, d = 0.0
            let base = 1 + r
            for (c, t) in zip(amounts, times) {
                let discount = pow(base, -t)
                v += c * discount
                d -= t * c * discount / base
            }
            return (v, d)
        }
        var r = 0.1
        for _ in 0..<100 {
            let (v, d) = npv(r)
            guard d != 0, v.isFinite, d.isFinite else { break }
            let next = r - v / d
            guard next > -1, next.isFinite else { break }
            if abs(next - r) < 1e-12 * max(1, abs(r)) {
                // A step of 1e-12 can still leave a residual of 1e-8 when the NPV is steep; polish while it shrinks.
                var best = (rate: next, residual: abs(npv(next).value))
                for _ in 0..<4 {
                    let (pv, pd) = npv(best.rate)
                    guard pd != 0 else { break }
                    let polished = best.rate - pv / pd
                    let residual = abs(npv(polished).value)
                    guard polished > -1, residual < best.residual else { break }
                    best = (polished, residual)
                }
                return best.rate
            }
            r = next
        }
        return try bisect(npv: { npv($0).value })
    }

    /// The residual `Σ c_i (1 + r)^(−t_i)` of `rate` for `flows`.
    public static func residual(_ flows: [DatedFlow], rate: Double) -> Double {
        guard let first = flows.map(\.date).min() else { return 0 }
        return flows.reduce(0) { $0 + $1.amount * pow(1 + rate, -Double(first.days(to: $1.date)) / 365) }
    }

    private static func bisect(npv: (Double) -> Double) throws(QuantError) -> Double {
        // A grid dense near 0 and spread out towards both ends of the domain.
        var grid: [Double] = [-0.999999999]
        for k in stride(from: -9.0, through: 0, by: 0.25) { grid.append(-1 + pow(10, k)) }
        for k in stride(from: -6.0, through: 6, by: 0.25) { grid.append(pow(10, k)) }
        grid = Array(Set(grid)).sorted()
        for (a0, b0) in zip(grid, grid.dropFirst()) {
            var (a, b) = (a0, b0)
            var fa = npv(a)
            let fb = npv(b)
            guard fa.isFinite, fb.isFinite else { continue }
            if fa == 0 { return a }
            guard (fa < 0) != (fb < 0) else { continue }
            while b - a > 4 * (b.ulp + a.ulp) {
                let m = (a + b) / 2
                let fm = npv(m)
                if fm == 0 { return m }
                if (fm < 0) == (fa < 0) { (a, fa) = (m, fm) } else { b = m }
            }
            return (a + b) / 2
        }
        throw QuantError(.invalidParameter, "XIRR has no solution: the net present value does not change sign for rates in (-100%, 1e8%]")
    }
}
