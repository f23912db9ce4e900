import Foundation

/// Time-weighted return of a daily value series, with flows at the start of their day.
///
/// `r_t = V_t / (V_{t−1} + F_t) − 1`, chain-linked: `TWR = Π(1 + r_t) − 1`. A day whose base
/// `V_{t−1} + F_t` is not positive (nothing invested yet) counts as a zero return. Annualised over the
/// calendar days of the range: `(1 + TWR)^(365 / days) − 1`.
public struct TimeWeightedReturn: Sendable, Hashable {
    public let from: LocalDate
    public let to: LocalDate
    /// Daily returns `r_t` for every calendar day `from...to`.
    public let dailyReturns: [Double]
    /// The TWR index: `index[0] = 1` at the end of `from − 1`, `index[i] = Π_{k<i}(1 + r_k)` at the end of `from + i − 1`.
    public let index: [Double]

    public var twr: Double { index.last! - 1 }
    public var calendarDays: Int { from.days(to: to) + 1 }
    public var annualized: Double { pow(1 + twr, 365 / Double(calendarDays)) - 1 }

    /// The TWR of `valuation` over `from...to` (clamped to the series; days before it have value 0).
    public init(_ valuation: DailyValuation, from: LocalDate, to: LocalDate) throws(QuantError) {
        guard from <= to else { throw QuantError.invalidParameter("from", from, "must not be after to (\(to))") }
        self.from = from
        self.to = to
        var returns: [Double] = []
        var index: [Double] = [1]
        returns.reserveCapacity(from.days(to: to) + 1)
        index.reserveCapacity(from.days(to: to) + 2)
        var previous = valuation.value(on: from.adding(days: -1))
        var level = 1.0
        var day = from
        while day <= to {
            let value = valuation.value(on: day)
            let base = previous + valuation.flow(on: day)
            let r = base > 0 ? value / base - 1 : 0
            returns.append(r)
            level *= 1 + r
            index.append(level)
            previous = value
            day = day.adding(days: 1)
        }
        dailyReturns = returns
        self.index = index
    }

    /// The date of index point `i` (point 0 is the end of `from − 1`).
    public func date(ofPoint i: Int) -> LocalDate { from.adding(days: i - 1) }

    /// Maximum drawdown of the TWR index (see ``Drawdown``), with its peak, trough and recovery as dates.
    public var maxDrawdown: DrawdownDates {
        let d = (try? Metrics.maxDrawdown(dailyReturns.map { $0 })) ?? Drawdown(depth: 0, episode: nil)
        return DrawdownDates(
            depth: d.depth, peak: d.episode.map { date(ofPoint: $0.peak) }, trough: d.episode.map { date(ofPoint: $0.trough) },
            recovery: d.episode?.recovery.map { date(ofPoint: $0) })
    }

    /// Returns per trading day: calendar-day returns of Saturdays and Sundays compound into the next weekday
    /// (the last one if the range ends on a weekend), so that `sqrt(252)` is the right annualisation.
    public var weekdayReturns: [Double] {
        var out: [Double] = []
        var growth = 1.0, pending = false
        for (i, r) in dailyReturns.enumerated() {
            growth *= 1 + r
            pending = true
            if from.adding(days: i).weekday <= 5 {
                out.append(growth - 1)
                growth = 1
                pending = false
            }
        }
        if pending {
            if out.isEmpty { out.append(growth - 1) } else { out[out.count - 1] = (1 + out[out.count - 1]) * growth - 1 }
        }
        return out
    }

    /// `std(weekdayReturns, ddof=1) · sqrt(252)`; `nil` below two weekday returns.
    public var volatility: Double? {
        try? Metrics.annualVolatility(weekdayReturns, periodsPerYear: Metrics.tradingDaysPerYear) ?? nil
    }

    /// Sharpe ratio of the weekday returns against `riskFreeRate` per year, converted to
    /// `(1 + rf)^(1/252) − 1` per day; `mean(excess) / std · sqrt(252)`.
    public func sharpe(riskFreeRate: Double = 0) -> Double? {
        let daily = pow(1 + riskFreeRate, 1 / Metrics.tradingDaysPerYear) - 1
        return try? Metrics.sharpeRatio(weekdayReturns, riskFree: daily, periodsPerYear: Metrics.tradingDaysPerYear) ?? nil
    }
}

/// A drawdown of the TWR index located by dates: `peak` is the last day at the running maximum before the
/// trough, `recovery` the first day back at or above it (`nil` while unrecovered). `depth` is in [−1, 0].
public struct DrawdownDates: Sendable, Hashable, Codable {
    public let depth: Double
    public let peak: LocalDate?
    public let trough: LocalDate?
    public let recovery: LocalDate?
}
