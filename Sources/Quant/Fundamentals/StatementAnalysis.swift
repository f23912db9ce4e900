import Foundation

/// One reporting period's statements: its label (`"FY2013"`, `"2013-Q4"`), its end date (`YYYY-MM-DD`) and
/// the figures. `statements.market.sharesOutstanding` is the share count at the period end (per-share figures).
public struct StatementPeriod: Sendable, Hashable, Codable {
    public let period: String
    public let end: String
    public let statements: FinancialStatements

    public init(period: String, end: String, statements: FinancialStatements) {
        self.period = period
        self.end = end
        self.statements = statements
    }
}

/// Analysis of a company's statements over the periods held: margins, growth, CAGR, common-size statements,
/// DuPont decomposition, per-share figures and trends.
///
/// Conventions (docs/quant-metrics.md, "Statement analysis"):
/// * Every per-period array is aligned with ``periods``, oldest first. Every figure is a ``RatioValue``: a
///   number, or not available with the reason in words, never NaN or an infinity.
/// * Ratios are plain fractions (a 25% margin or a 25% growth is 0.25), as in ``FundamentalRatios``, whose
///   definitions are reused: gross, operating and net margin and ROE are its fields; EBITDA is operating income
///   plus depreciation and amortisation, free cash flow is operating cash flow − |capital expenditure|.
/// * Balance-sheet figures are ending balances (no averaging of opening and closing), as in ``FundamentalRatios``.
/// * A denominator must be positive (revenue, total assets, equity, shares outstanding, a growth base), or the
///   figure is not available, with the same reasons as ``FundamentalRatios``.
/// * Dictionary keys are snake_case names listed on each property.
public struct StatementAnalysis: Sendable, Hashable, Codable {
    /// Period labels, oldest first.
    public let periods: [String]
    /// Period end dates (`YYYY-MM-DD`), ascending.
    public let ends: [String]
    /// Margins over revenue: `gross` (revenue − cost of revenue), `operating` (operating income), `ebitda`
    /// (operating income + D&A), `pretax` (pretax income), `net` (net income), `fcf` (operating cash flow − |capex|).
    public let margins: [String: [RatioValue]]
    /// Period-over-period growth `(x[t] − x[t−1]) / x[t−1]` of ``StatementAnalysis/growthSeries``. The first period
    /// is not available ("no earlier period"); so is a growth from a base ≤ 0 ("base is not positive"): a change
    /// from a loss has no meaningful rate.
    public let growth: [String: [RatioValue]]
    /// Compound annual growth from the first period held to the last, of the same series as ``growth``:
    /// `(last / first)^(1 / years) − 1`, years = calendar days between the two ends / 365.25. Not available with
    /// one period, a first value ≤ 0 ("base is not positive") or a negative last value ("last value is negative").
    public let cagr: [String: RatioValue]
    /// Income items as a fraction of revenue, balance-sheet items as a fraction of total assets.
    public let commonSize: CommonSize
    /// 3- and 5-step DuPont decomposition of ROE per period, with ending balances.
    public let dupont: [DuPont]
    /// Per-share figures over `sharesOutstanding`: `revenue`, `eps` (net income), `book_value` (equity),
    /// `operating_cash_flow`, `free_cash_flow`, `dividends` (|dividends paid|).
    public let perShare: [String: [RatioValue]]
    /// Trends of ``StatementAnalysis/trendSeries`` over the periods held.
    public let trends: [String: Trend]

    /// The series ``growth`` and ``cagr`` cover.
    public static let growthSeries = [
        "revenue", "operating_income", "net_income", "eps", "total_assets", "shareholders_equity", "operating_cash_flow",
    ]
    /// The series ``trends`` covers; for each, higher is better.
    public static let trendSeries = [
        "revenue", "operating_income", "net_income", "eps", "operating_cash_flow", "free_cash_flow", "book_value_per_share",
        "gross_margin", "operating_margin", "net_margin", "return_on_equity",
    ]

    /// Analyses `periods`, given in any order; they are sorted by end date.
    ///
    /// - Throws: `QuantError` when no period is given, an end is not a `YYYY-MM-DD` date or two periods end on
    ///   the same day.
    public init(periods input: [StatementPeriod]) throws(QuantError) {
        guard !input.isEmpty else { throw .empty("periods") }
        var dated: [(day: Int, period: StatementPeriod)] = []
        for p in input {
            guard let day = LocalDate(p.end) else { throw .invalidParameter("end of \(p.period)", p.end, "must be a YYYY-MM-DD date") }
            dated.append((day.daysSinceEpoch, p))
        }
        dated.sort { $0.day < $1.day }
        for k in dated.indices.dropFirst() where dated[k].day == dated[k - 1].day {
            throw .invalidParameter("end", dated[k].period.end, "appears more than once (\(dated[k - 1].period.period), \(dated[k].period.period))")
        }
        let labels = dated.map(\.period.period)
        let years = dated.map { Double($0.day - dated[0].day) / 365.25 }
        let figures = dated.map { PeriodFigures($0.period.statements) }

        periods = labels
        ends = dated.map(\.period.end)
        margins = [
            "gross": figures.map(\.ratios.grossMargin),
            "operating": figures.map(\.ratios.operatingMargin),
            "ebitda": figures.map { .ratio($0.ebitda, over: $0.revenue, named: "revenue") },
            "pretax": figures.map { .ratio($0.pretaxIncome, over: $0.revenue, named: "revenue") },
            "net": figures.map(\.ratios.netMargin),
            "fcf": figures.map { .ratio($0.freeCashFlow, over: $0.revenue, named: "revenue") },
        ]
        let levels: [String: [RatioValue]] = [
            "revenue": figures.map(\.revenue), "operating_income": figures.map(\.operatingIncome),
            "net_income": figures.map(\.netIncome), "eps": figures.map(\.eps), "total_assets": figures.map(\.totalAssets),
            "shareholders_equity": figures.map(\.equity), "operating_cash_flow": figures.map(\.operatingCashFlow),
        ]
        growth = levels.mapValues { Self.growthRates($0, labels: labels) }
        cagr = levels.mapValues { Self.compoundGrowth($0, labels: labels, years: years.last ?? 0) }
        commonSize = CommonSize(figures)
        dupont = figures.map(DuPont.init)
        perShare = [
            "revenue": figures.map { $0.perShare($0.revenue) },
            "eps": figures.map(\.eps),
            "book_value": figures.map { $0.perShare($0.equity) },
            "operating_cash_flow": figures.map { $0.perShare($0.operatingCashFlow) },
            "free_cash_flow": figures.map { $0.perShare($0.freeCashFlow) },
            "dividends": figures.map { $0.perShare($0.dividends) },
        ]
        let trendValues: [String: [RatioValue]] = [
            "revenue": figures.map(\.revenue), "operating_income": figures.map(\.operatingIncome),
            "net_income": figures.map(\.netIncome), "eps": figures.map(\.eps),
            "operating_cash_flow": figures.map(\.operatingCashFlow), "free_cash_flow": figures.map(\.freeCashFlow),
            "book_value_per_share": perShare["book_value"] ?? [], "gross_margin": figures.map(\.ratios.grossMargin),
            "operating_margin": figures.map(\.ratios.operatingMargin), "net_margin": figures.map(\.ratios.netMargin),
            "return_on_equity": figures.map(\.ratios.returnOnEquity),
        ]
        trends = trendValues.mapValues { Trend(values: $0.map(\.value), years: years) }
    }

    enum CodingKeys: String, CodingKey {
        case periods, ends, margins, growth, cagr, dupont, trends
        case commonSize = "common_size"
        case perShare = "per_share"
    }

    /// `(x[t] − x[t−1]) / x[t−1]` per period; see ``growth``.
    static func growthRates(_ levels: [RatioValue], labels: [String]) -> [RatioValue] {
        levels.indices.map { t in
            guard t > 0 else { return .notAvailable(reason: "no earlier period") }
            return rate(from: levels[t - 1], in: labels[t - 1], to: levels[t]) { current, base in .value((current - base) / base) }
        }
    }

    /// `(last / first)^(1 / years) − 1`; see ``cagr``.
    static func compoundGrowth(_ levels: [RatioValue], labels: [String], years: Double) -> RatioValue {
        guard levels.count >= 2, let first = levels.first, let last = levels.last else {
            return .notAvailable(reason: "needs at least two periods")
        }
        return rate(from: first, in: labels[0], to: last) { last, first in
            last < 0 ? .notAvailable(reason: "last value is negative") : .value(pow(last / first, 1 / years) - 1)
        }
    }

    /// A rate from `base` (of the period labelled `baseLabel`) to `current`; the base must be available and positive.
    private static func rate(
        from base: RatioValue, in baseLabel: String, to current: RatioValue, _ formula: (Double, Double) -> RatioValue
    ) -> RatioValue {
        guard case .value(let b) = base else { return .notAvailable(reason: "\(base.reason ?? "") in \(baseLabel)") }
        guard case .value(let c) = current else { return current }
        guard b > 0 else { return .notAvailable(reason: "base is not positive") }
        let r = formula(c, b)
        if let v = r.value, !v.isFinite { return .notAvailable(reason: "the rate overflows") }
        return r
    }
}

/// The figures of one period the analysis reads, each with the reason when it is missing. Names in reasons are
/// those of ``FundamentalRatios``.
struct PeriodFigures {
    let ratios: FundamentalRatios
    let revenue, costOfRevenue, operatingIncome, depreciation, interestExpense, pretaxIncome, incomeTax, netIncome: RatioValue
    let totalAssets, currentAssets, inventory, currentLiabilities, cash, debt, equity: RatioValue
    let operatingCashFlow, freeCashFlow, dividends, shares: RatioValue

    init(_ s: FinancialStatements) {
        let i = s.income, b = s.balanceSheet, c = s.cashFlow
        ratios = FundamentalRatios(s)
        revenue = .input(i.revenue, "revenue")
        costOfRevenue = .input(i.costOfRevenue, "cost of revenue")
        operatingIncome = .input(i.operatingIncome, "operating income")
        depreciation = .input(i.depreciationAndAmortization, "depreciation and amortization")
        interestExpense = RatioValue.input(i.interestExpense, "interest expense").map(abs)
        pretaxIncome = .input(i.pretaxIncome, "pretax income")
        incomeTax = .input(i.incomeTaxExpense, "income tax expense")
        netIncome = .input(i.netIncome, "net income")
        totalAssets = .input(b.totalAssets, "total assets")
        currentAssets = .input(b.currentAssets, "current assets")
        inventory = .input(b.inventory, "inventory")
        currentLiabilities = .input(b.currentLiabilities, "current liabilities")
        cash = .input(b.cashAndEquivalents, "cash and equivalents")
        debt = .input(b.totalDebt, "total debt")
        equity = .input(b.shareholdersEquity, "shareholders' equity")
        operatingCashFlow = .input(c.operatingCashFlow, "operating cash flow")
        freeCashFlow = operatingCashFlow.combine(RatioValue.input(c.capitalExpenditure, "capital expenditure").map(abs), -)
        dividends = RatioValue.input(c.dividendsPaid, "dividends paid").map(abs)
        shares = .input(s.market.sharesOutstanding, "shares outstanding")
    }

    /// Operating income + depreciation and amortisation, as ``FundamentalRatios/evToEBITDA`` defines it.
    var ebitda: RatioValue { operatingIncome.combine(depreciation, +) }
    /// Revenue − cost of revenue, as ``FundamentalRatios/grossMargin`` defines it.
    var grossProfit: RatioValue { revenue.combine(costOfRevenue, -) }
    var eps: RatioValue { perShare(netIncome) }

    /// `figure / shares outstanding`; needs a positive share count.
    func perShare(_ figure: RatioValue) -> RatioValue {
        .ratio(figure, over: shares, named: "shares outstanding")
    }
}
