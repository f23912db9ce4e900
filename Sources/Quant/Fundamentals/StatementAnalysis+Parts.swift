extension StatementAnalysis {
    /// Common-size statements: each item as a fraction of revenue (income statement) or of total assets (balance
    /// sheet), per period. Not available when the base is missing, zero or negative.
    public struct CommonSize: Sendable, Hashable, Codable {
        /// Over revenue: `revenue` (1), `cost_of_revenue`, `gross_profit`, `operating_income`,
        /// `depreciation_and_amortization`, `interest_expense` (its magnitude), `pretax_income`, `income_tax_expense`,
        /// `net_income`.
        public let income: [String: [RatioValue]]
        /// Over total assets: `total_assets` (1), `current_assets`, `inventory`, `cash_and_equivalents`,
        /// `current_liabilities`, `total_debt`, `total_liabilities` (total assets − equity), `shareholders_equity`.
        public let balanceSheet: [String: [RatioValue]]

        init(_ figures: [PeriodFigures]) {
            func overRevenue(_ item: (PeriodFigures) -> RatioValue) -> [RatioValue] {
                figures.map { .ratio(item($0), over: $0.revenue, named: "revenue") }
            }
            func overAssets(_ item: (PeriodFigures) -> RatioValue) -> [RatioValue] {
                figures.map { .ratio(item($0), over: $0.totalAssets, named: "total assets") }
            }
            income = [
                "revenue": overRevenue(\.revenue), "cost_of_revenue": overRevenue(\.costOfRevenue),
                "gross_profit": overRevenue(\.grossProfit), "operating_income": overRevenue(\.operatingIncome),
                "depreciation_and_amortization": overRevenue(\.depreciation), "interest_expense": overRevenue(\.interestExpense),
                "pretax_income": overRevenue(\.pretaxIncome), "income_tax_expense": overRevenue(\.incomeTax),
                "net_income": overRevenue(\.netIncome),
            ]
            balanceSheet = [
                "total_assets": overAssets(\.totalAssets), "current_assets": overAssets(\.currentAssets),
                "inventory": overAssets(\.inventory), "cash_and_equivalents": overAssets(\.cash),
                "current_liabilities": overAssets(\.currentLiabilities), "total_debt": overAssets(\.debt),
                "total_liabilities": overAssets { $0.totalAssets.combine($0.equity, -) },
                "shareholders_equity": overAssets(\.equity),
            ]
        }

        enum CodingKeys: String, CodingKey {
            case income
            case balanceSheet = "balance_sheet"
        }
    }

    /// DuPont decomposition of one period's return on equity, with ending balances (as ``FundamentalRatios``).
    ///
    /// 3-step: `ROE = net margin × asset turnover × equity multiplier = NI/revenue × revenue/assets × assets/equity`.
    /// 5-step: `ROE = tax burden × interest burden × EBIT margin × asset turnover × equity multiplier`, with
    /// tax burden `NI / pretax income`, interest burden `pretax income / EBIT` and EBIT margin `EBIT / revenue`
    /// (EBIT = operating income). Every denominator must be positive, so the 5-step form needs a pretax and an
    /// operating profit. Both products are given next to ``returnOnEquity`` (`NI / equity`, computed directly) so
    /// the identity can be checked: when all factors are available they agree to rounding.
    public struct DuPont: Sendable, Hashable, Codable {
        /// `net income / revenue` (= ``FundamentalRatios/netMargin``).
        public let netMargin: RatioValue
        /// `revenue / total assets`.
        public let assetTurnover: RatioValue
        /// `total assets / shareholders' equity`.
        public let equityMultiplier: RatioValue
        /// `netMargin × assetTurnover × equityMultiplier`.
        public let threeStepProduct: RatioValue
        /// `net income / pretax income`.
        public let taxBurden: RatioValue
        /// `pretax income / operating income (EBIT)`.
        public let interestBurden: RatioValue
        /// `operating income / revenue` (= ``FundamentalRatios/operatingMargin``).
        public let ebitMargin: RatioValue
        /// `taxBurden × interestBurden × ebitMargin × assetTurnover × equityMultiplier`.
        public let fiveStepProduct: RatioValue
        /// `net income / shareholders' equity` (= ``FundamentalRatios/returnOnEquity``).
        public let returnOnEquity: RatioValue

        init(_ f: PeriodFigures) {
            netMargin = f.ratios.netMargin
            assetTurnover = .ratio(f.revenue, over: f.totalAssets, named: "total assets")
            equityMultiplier = .ratio(f.totalAssets, over: f.equity, named: "shareholders' equity")
            threeStepProduct = netMargin.combine(assetTurnover, *).combine(equityMultiplier, *)
            taxBurden = .ratio(f.netIncome, over: f.pretaxIncome, named: "pretax income")
            interestBurden = .ratio(f.pretaxIncome, over: f.operatingIncome, named: "operating income (EBIT)")
            ebitMargin = f.ratios.operatingMargin
            fiveStepProduct = taxBurden.combine(interestBurden, *).combine(ebitMargin, *).combine(assetTurnover, *)
                .combine(equityMultiplier, *)
            returnOnEquity = f.ratios.returnOnEquity
        }

        enum CodingKeys: String, CodingKey {
            case netMargin = "net_margin"
            case assetTurnover = "asset_turnover"
            case equityMultiplier = "equity_multiplier"
            case threeStepProduct = "three_step_product"
            case taxBurden = "tax_burden"
            case interestBurden = "interest_burden"
            case ebitMargin = "ebit_margin"
            case fiveStepProduct = "five_step_product"
            case returnOnEquity = "return_on_equity"
        }
    }

    /// The trend of one series over the periods held (for series where higher is better).
    ///
    /// The slope is that of the ordinary least-squares line through the periods with a value, against time in years
    /// since the first period's end (calendar days / 365.25), in the series' unit per year. The direction is
    /// `flat` when `|slope| < 1% of |mean|` (per year), else `up` or `down` by the slope's sign.
    /// ``improvingPeriods`` counts the consecutive increases ending at the last period; a missing value stops it.
    public struct Trend: Sendable, Hashable, Codable {
        public enum Direction: String, Sendable, Hashable, Codable {
            case up, down, flat
        }

        /// Number of periods with a value.
        public let points: Int
        /// Mean of the values; `nil` without any.
        public let mean: Double?
        /// Least-squares slope per year; not available with fewer than two values.
        public let slopePerYear: RatioValue
        /// `nil` when the slope is not available.
        public let direction: Direction?
        public let improvingPeriods: Int

        /// `values[i]` at `years[i]` (same length, years strictly increasing); `nil` is a missing value.
        init(values: [Double?], years: [Double]) {
            let pairs = zip(years, values).compactMap { x, y in y.map { (x: x, y: $0) } }
            points = pairs.count
            var improving = 0
            var t = values.count - 1
            while t > 0, let current = values[t], let previous = values[t - 1], current > previous {
                improving += 1
                t -= 1
            }
            improvingPeriods = improving
            guard !pairs.isEmpty else {
                mean = nil
                slopePerYear = .notAvailable(reason: "no period has a value")
                direction = nil
                return
            }
            let n = Double(pairs.count)
            let meanX = pairs.reduce(0) { $0 + $1.x } / n, meanY = pairs.reduce(0) { $0 + $1.y } / n
            mean = meanY
            guard pairs.count >= 2 else {
                slopePerYear = .notAvailable(reason: "fewer than two periods have a value")
                direction = nil
                return
            }
            var sxy = 0.0, sxx = 0.0
            for p in pairs {
                sxy += (p.x - meanX) * (p.y - meanY)
                sxx += (p.x - meanX) * (p.x - meanX)
            }
            let slope = sxy / sxx
            guard slope.isFinite else {
                slopePerYear = .notAvailable(reason: "the slope overflows")
                direction = nil
                return
            }
            slopePerYear = .value(slope)
            direction = abs(slope) < 0.01 * abs(meanY) ? .flat : slope > 0 ? .up : slope < 0 ? .down : .flat
        }

        enum CodingKeys: String, CodingKey {
            case points, mean, direction
            case slopePerYear = "slope_per_year"
            case improvingPeriods = "improving_periods"
        }
    }
}
