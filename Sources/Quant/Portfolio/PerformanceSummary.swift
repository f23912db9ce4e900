import Foundation

/// Performance of a portfolio over `from...to`.
///
/// Decimal figures are exact and refer to the range: flows, realized P&L, income and expenses of rows dated
/// in it, and `unrealizedChange = unrealized(to) − unrealized(from − 1)`, so that
/// `valueEnd − valueStart − netContributions = realized + unrealizedChange + transferredOutGain + dividends
/// + interest − fees − taxes + fxGain` holds exactly. Return and risk figures come from the `Double` daily series.
public struct PerformanceSummary: Sendable, Hashable {
    public var from: LocalDate
    public var to: LocalDate
    /// Value at the end of `from − 1`.
    public var valueStart: Decimal
    public var valueEnd: Decimal
    public var netContributions: Decimal
    public var twr: Double
    public var twrAnnualized: Double
    /// `nil` when the flows of the range have no money-weighted rate (for example nothing invested).
    public var xirr: Double?
    public var maxDrawdown: DrawdownDates
    public var volatility: Double?
    public var sharpe: Double?
    public var realized: Decimal
    /// Unrealized gain at `to`.
    public var unrealized: Decimal
    public var unrealizedChange: Decimal
    public var transferredOutGain: Decimal
    public var dividends: Decimal
    public var interest: Decimal
    public var fees: Decimal
    public var taxes: Decimal
    public var tradeFees: Decimal
    public var byYear: [YearPerformance]
    /// The TWR index and daily returns behind `twr`.
    public var timeWeighted: TimeWeightedReturn
    /// Change of ``Holdings/fxGain`` over the range (0 in one currency); a term of the identity above.
    public var fxGain: Decimal = 0
    /// TWR in the base currency with every currency's rate held at its rate at the end of `from − 1` (or, for
    /// a currency first used later, on its first row's date): the return without currency effect. Equals `twr`
    /// in one currency.
    public var twrLocal: Double = 0
    /// `(1 + twr) / (1 + twrLocal) − 1`: the currency effect (0 in one currency).
    public var currencyEffect: Double = 0
}

/// One calendar year of a ``PerformanceSummary`` (cut at the range's ends).
public struct YearPerformance: Sendable, Hashable, Codable {
    public var year: Int
    public var twr: Double
    public var xirr: Double?
    /// Net external flows (DEPOSIT, WITHDRAWAL, transfers at market value).
    public var netContributions: Decimal
    /// Dividends plus interest.
    public var income: Decimal
    public var valueEnd: Decimal
}

extension Portfolio {
    /// The performance over `range`; `riskFreeRate` is annual, for the Sharpe ratio.
    public func performance(_ range: DateRange, riskFreeRate: Double = 0) throws(QuantError) -> PerformanceSummary {
        let (from, to) = (range.from, range.to)
        guard from <= to else { throw QuantError.invalidParameter("from", from, "must not be after to (\(to))") }
        var boundaries = [from.adding(days: -1)]
        for year in from.year..<to.year { boundaries.append(LocalDate(year: year, month: 12, day: 31)!) }
        boundaries.append(to)
        let (daily, snapshots) = run(through: to.daysSinceEpoch, snapshots: boundaries.map(\.daysSinceEpoch), daily: true)
        let valuation = daily!
        let start = snapshots.first!, end = snapshots.last!
        let timeWeighted = try TimeWeightedReturn(valuation, from: from, to: to)
        var years: [YearPerformance] = []
        for (i, (a, b)) in zip(snapshots, snapshots.dropFirst()).enumerated() {
            let yearFrom = i == 0 ? from : a.date.adding(days: 1)
            years.append(YearPerformance(
                year: b.date.year, twr: try TimeWeightedReturn(valuation, from: yearFrom, to: b.date).twr,
                xirr: try? XIRR.rate(investorFlows(valuation, from: yearFrom, to: b.date)),
                netContributions: b.netContributions - a.netContributions,
                income: b.dividends + b.interest - a.dividends - a.interest, valueEnd: b.value))
        }
        var summary = PerformanceSummary(
            from: from, to: to, valueStart: start.value, valueEnd: end.value,
            netContributions: end.netContributions - start.netContributions, twr: timeWeighted.twr,
            twrAnnualized: timeWeighted.annualized, xirr: try? XIRR.rate(investorFlows(valuation, from: from, to: to)),
            maxDrawdown: timeWeighted.maxDrawdown, volatility: timeWeighted.volatility, sharpe: timeWeighted.sharpe(riskFreeRate: riskFreeRate),
            realized: end.realized - start.realized, unrealized: end.unrealized, unrealizedChange: end.unrealized - start.unrealized,
            transferredOutGain: end.transferredOutGain - start.transferredOutGain, dividends: end.dividends - start.dividends,
            interest: end.interest - start.interest, fees: end.fees - start.fees, taxes: end.taxes - start.taxes,
            tradeFees: end.tradeFees - start.tradeFees, byYear: years, timeWeighted: timeWeighted)
        summary.fxGain = end.fxGain - start.fxGain
        summary.twrLocal = timeWeighted.twr
        if isMultiCurrency {
            let fixed = currencyDaily(through: to.daysSinceEpoch, fixedAt: from.daysSinceEpoch - 1)
            summary.twrLocal = try TimeWeightedReturn(fixed, from: from, to: to).twr
            summary.currencyEffect = (1 + summary.twr) / (1 + summary.twrLocal) - 1
        }
        return summary
    }

    /// The investor's flows over `from...to`: the value at the end of `from − 1` paid in (negative), each
    /// day's external flows with their sign reversed, and the value at the end of `to` received (positive).
    public func investorFlows(_ valuation: DailyValuation, from: LocalDate, to: LocalDate) -> [DatedFlow] {
        var flows: [DatedFlow] = []
        let startValue = valuation.value(on: from.adding(days: -1))
        if startValue != 0 { flows.append(DatedFlow(date: from.adding(days: -1), amount: -startValue)) }
        var day = max(from, valuation.start)
        while day <= min(to, valuation.end) {
            let f = valuation.flow(on: day)
            if f != 0 { flows.append(DatedFlow(date: day, amount: -f)) }
            day = day.adding(days: 1)
        }
        flows.append(DatedFlow(date: to, amount: valuation.value(on: to)))
        return flows
    }
}
