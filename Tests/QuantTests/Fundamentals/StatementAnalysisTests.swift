import Foundation
import Quant
import Testing

@Suite("Statement analysis")
struct StatementAnalysisTests {
    /// Three made-up fiscal years with round numbers; every figure the tests expect is worked out by hand in
    /// their comments. FY2012 is `FundamentalRatiosTests.company`'s statements.
    static let fy2012 = StatementPeriod(
        period: "FY2012", end: "2012-12-31",
        statements: FinancialStatements(
            income: IncomeStatement(
                revenue: 1_000, costOfRevenue: 600, operatingIncome: 200, depreciationAndAmortization: 50, interestExpense: 20,
                pretaxIncome: 180, incomeTaxExpense: 45, netIncome: 135),
            balanceSheet: BalanceSheet(
                totalAssets: 2_000, currentAssets: 500, inventory: 100, currentLiabilities: 250, cashAndEquivalents: 150,
                totalDebt: 400, shareholdersEquity: 900),
            cashFlow: CashFlowStatement(operatingCashFlow: 250, capitalExpenditure: -100, dividendsPaid: -54),
            market: MarketQuote(price: 27, sharesOutstanding: 100)))
    static let fy2013 = StatementPeriod(
        period: "FY2013", end: "2013-12-31",
        statements: FinancialStatements(
            income: IncomeStatement(
                revenue: 1_200, costOfRevenue: 700, operatingIncome: 300, depreciationAndAmortization: 60, interestExpense: -25,
                pretaxIncome: 275, incomeTaxExpense: 55, netIncome: 220),
            balanceSheet: BalanceSheet(
                totalAssets: 2_400, currentAssets: 600, inventory: 120, currentLiabilities: 300, cashAndEquivalents: 240,
                totalDebt: 480, shareholdersEquity: 1_200),
            cashFlow: CashFlowStatement(operatingCashFlow: 360, capitalExpenditure: -120, dividendsPaid: -66),
            market: MarketQuote(sharesOutstanding: 110)))
    static let fy2014 = StatementPeriod(
        period: "FY2014", end: "2014-12-31",
        statements: FinancialStatements(
            income: IncomeStatement(
                revenue: 1_500, costOfRevenue: 900, operatingIncome: 300, depreciationAndAmortization: 75, interestExpense: 30,
                pretaxIncome: 270, incomeTaxExpense: 54, netIncome: 216),
            balanceSheet: BalanceSheet(
                totalAssets: 3_000, currentAssets: 750, inventory: 150, currentLiabilities: 375, cashAndEquivalents: 300,
                totalDebt: 600, shareholdersEquity: 1_500),
            cashFlow: CashFlowStatement(operatingCashFlow: 420, capitalExpenditure: -150, dividendsPaid: -72),
            market: MarketQuote(sharesOutstanding: 120)))

    /// Given newest first, as `data` lists statements; the analysis sorts them.
    static func analysis() throws -> StatementAnalysis {
        try StatementAnalysis(periods: [fy2014, fy2012, fy2013])
    }

    /// 2012-12-31 → 2013-12-31 → 2014-12-31: 365 days each, 730 in all.
    static let yearStep = 365 / 365.25

    @Test func periodsAreSortedByEndDate() throws {
        let a = try Self.analysis()
        #expect(a.periods == ["FY2012", "FY2013", "FY2014"])
        #expect(a.ends == ["2012-12-31", "2013-12-31", "2014-12-31"])
    }

    @Test func marginsMatchTheHandComputation() throws {
        let m = try Self.analysis().margins
        expectValues(m["gross"], [400.0 / 1_000, 500.0 / 1_200, 600.0 / 1_500], "gross = (revenue - cost) / revenue")
        expectValues(m["operating"], [200.0 / 1_000, 300.0 / 1_200, 300.0 / 1_500], "operating = 200/1000, 300/1200, 300/1500")
        expectValues(m["ebitda"], [250.0 / 1_000, 360.0 / 1_200, 375.0 / 1_500], "EBITDA = (200+50)/1000, (300+60)/1200, (300+75)/1500")
        expectValues(m["pretax"], [180.0 / 1_000, 275.0 / 1_200, 270.0 / 1_500], "pretax")
        expectValues(m["net"], [135.0 / 1_000, 220.0 / 1_200, 216.0 / 1_500], "net")
        expectValues(m["fcf"], [150.0 / 1_000, 240.0 / 1_200, 270.0 / 1_500], "FCF = (250-100)/1000, (360-120)/1200, (420-150)/1500")
        #expect(Set(m.keys) == ["gross", "operating", "ebitda", "pretax", "net", "fcf"])
    }

    @Test func marginsAgreeWithFundamentalRatiosDefinitions() throws {
        let a = try Self.analysis()
        for (k, period) in [Self.fy2012, Self.fy2013, Self.fy2014].enumerated() {
            let r = FundamentalRatios(period.statements)
            #expect(a.margins["gross"]?[k] == r.grossMargin)
            #expect(a.margins["operating"]?[k] == r.operatingMargin)
            #expect(a.margins["net"]?[k] == r.netMargin)
            #expect(a.dupont[k].returnOnEquity == r.returnOnEquity)
        }
        // FY2012 has a price (27 × 100 shares = 2,700): the EBITDA and FCF margins use the same EBITDA and free cash
        // flow as EV/EBITDA and the FCF yield.
        let r = FundamentalRatios(Self.fy2012.statements)
        let ebitda = try #require(a.margins["ebitda"]?[0].value) * 1_000
        expectClose(try #require(r.evToEBITDA.value), (2_700 + 400 - 150) / ebitda, relative: 1e-14, "EV/EBITDA from the EBITDA margin")
        let fcf = try #require(a.margins["fcf"]?[0].value) * 1_000
        expectClose(try #require(r.freeCashFlowYield.value), fcf / 2_700, relative: 1e-14, "FCF yield from the FCF margin")
    }

    @Test func growthIsPeriodOverPeriodAndTheFirstPeriodHasNone() throws {
        let g = try Self.analysis().growth
        #expect(Set(g.keys) == Set(StatementAnalysis.growthSeries))
        for (name, rates) in g { #expect(rates.first == .notAvailable(reason: "no earlier period"), "\(name)") }
        expectValues(g["revenue"], [nil, 0.2, 0.25], "revenue 1000 → 1200 → 1500")
        expectValues(g["operating_income"], [nil, 0.5, 0], "operating income 200 → 300 → 300")
        expectValues(g["net_income"], [nil, 85.0 / 135, -4.0 / 220], "net income 135 → 220 → 216")
        // EPS 135/100 = 1.35 → 220/110 = 2 → 216/120 = 1.8.
        expectValues(g["eps"], [nil, 0.65 / 1.35, -0.1], "EPS 1.35 → 2 → 1.8")
        expectValues(g["total_assets"], [nil, 0.2, 0.25], "assets 2000 → 2400 → 3000")
        expectValues(g["shareholders_equity"], [nil, 1.0 / 3, 0.25], "equity 900 → 1200 → 1500")
        expectValues(g["operating_cash_flow"], [nil, 0.44, 1.0 / 6], "OCF 250 → 360 → 420")
    }

    @Test func cagrCompoundsOverTheDayCountInYears() throws {
        let c = try Self.analysis().cagr
        // years = 730 / 365.25; reference values from python3: (last / first) ** (1 / (730 / 365.25)) - 1.
        let expected: [String: Double] = [
            "revenue": 0.224914948717307,  // 1000 → 1500
            "operating_income": 0.224914948717307,  // 200 → 300
            "net_income": 0.26511468072481237,  // 135 → 216
            "eps": 0.15481430653274542,  // 1.35 → 1.8
            "total_assets": 0.224914948717307,  // 2000 → 3000
            "shareholders_equity": 0.29122031542488713,  // 900 → 1500
            "operating_cash_flow": 0.2963784456230416,  // 250 → 420
        ]
        #expect(Set(c.keys) == Set(expected.keys))
        for (name, value) in expected {
            expectClose(try #require(c[name]?.value, "\(name)"), value, relative: 1e-12, "CAGR of \(name)")
        }
    }

    @Test func commonSizeStatementsAreFractionsOfRevenueAndOfTotalAssets() throws {
        let cs = try Self.analysis().commonSize
        let i = cs.income, b = cs.balanceSheet
        expectValues(i["revenue"], [1, 1, 1], "revenue over itself")
        expectValues(i["cost_of_revenue"], [0.6, 700.0 / 1_200, 0.6], "cost")
        expectValues(i["gross_profit"], [0.4, 500.0 / 1_200, 0.4], "gross profit")
        expectValues(i["operating_income"], [0.2, 0.25, 0.2], "operating income")
        expectValues(i["depreciation_and_amortization"], [0.05, 0.05, 0.05], "D&A 50/1000, 60/1200, 75/1500")
        // FY2013 prints interest as -25; its magnitude is used.
        expectValues(i["interest_expense"], [0.02, 25.0 / 1_200, 0.02], "interest")
        expectValues(i["pretax_income"], [0.18, 275.0 / 1_200, 0.18], "pretax")
        expectValues(i["income_tax_expense"], [0.045, 55.0 / 1_200, 0.036], "tax 45/1000, 55/1200, 54/1500")
        expectValues(i["net_income"], [0.135, 220.0 / 1_200, 0.144], "net income")
        expectValues(b["total_assets"], [1, 1, 1], "assets over themselves")
        expectValues(b["current_assets"], [0.25, 0.25, 0.25], "current assets 500/2000, 600/2400, 750/3000")
        expectValues(b["inventory"], [0.05, 0.05, 0.05], "inventory")
        expectValues(b["cash_and_equivalents"], [0.075, 0.1, 0.1], "cash 150/2000, 240/2400, 300/3000")
        expectValues(b["current_liabilities"], [0.125, 0.125, 0.125], "current liabilities")
        expectValues(b["total_debt"], [0.2, 0.2, 0.2], "debt")
        expectValues(b["total_liabilities"], [0.55, 0.5, 0.5], "liabilities (2000-900)/2000, (2400-1200)/2400, (3000-1500)/3000")
        expectValues(b["shareholders_equity"], [0.45, 0.5, 0.5], "equity")
    }

    @Test func perShareFiguresDivideByTheSharesOutstanding() throws {
        let p = try Self.analysis().perShare
        #expect(Set(p.keys) == ["revenue", "eps", "book_value", "operating_cash_flow", "free_cash_flow", "dividends"])
        expectValues(p["revenue"], [10, 1_200.0 / 110, 12.5], "revenue / 100, 110, 120 shares")
        expectValues(p["eps"], [1.35, 2, 1.8], "EPS")
        expectValues(p["book_value"], [9, 1_200.0 / 110, 12.5], "book value")
        expectValues(p["operating_cash_flow"], [2.5, 360.0 / 110, 3.5], "OCF")
        expectValues(p["free_cash_flow"], [1.5, 240.0 / 110, 2.25], "FCF")
        expectValues(p["dividends"], [0.54, 0.6, 0.6], "|dividends| 54/100, 66/110, 72/120")
    }

    @Test func dupontFactorsOfTheHandMadeSet() throws {
        let d = try Self.analysis().dupont[0]
        // FY2012: 135/1000 × 1000/2000 × 2000/900 = 0.135 × 0.5 × 2.222… = 0.15 = 135/900.
        expectValue(d.netMargin, 0.135, "net margin")
        expectValue(d.assetTurnover, 0.5, "asset turnover")
        expectValue(d.equityMultiplier, 2_000.0 / 900, "equity multiplier")
        expectValue(d.threeStepProduct, 0.15, "3-step product")
        // 135/180 × 180/200 × 200/1000 = 0.75 × 0.9 × 0.2 = 0.135, the net margin.
        expectValue(d.taxBurden, 0.75, "tax burden")
        expectValue(d.interestBurden, 0.9, "interest burden")
        expectValue(d.ebitMargin, 0.2, "EBIT margin")
        expectValue(d.fiveStepProduct, 0.15, "5-step product")
        expectValue(d.returnOnEquity, 0.15, "ROE")
    }

    @Test func dupontIdentityHoldsOnTheHandMadeSet() throws {
        for (k, d) in try Self.analysis().dupont.enumerated() {
            let roe = try #require(d.returnOnEquity.value)
            expectValue(d.threeStepProduct, roe, "3-step, period \(k)")
            expectValue(d.fiveStepProduct, roe, "5-step, period \(k)")
        }
    }

    @Test func dupontIdentityHoldsOnRandomPositiveStatements() throws {
        var rng = SplitMix64(seed: 20_141_231)
        func draw(_ low: Double, _ high: Double) -> Double { low + (high - low) * rng.nextUnit() }
        var periods: [StatementPeriod] = []
        for k in 0..<500 {
            let revenue = draw(1, 1e9), ebit = revenue * draw(0.001, 1), pretax = ebit * draw(0.001, 1.2)
            let netIncome = pretax * draw(0.001, 1), assets = draw(1, 1e10), equity = assets * draw(0.001, 1)
            let statements = FinancialStatements(
                income: IncomeStatement(revenue: revenue, operatingIncome: ebit, pretaxIncome: pretax, netIncome: netIncome),
                balanceSheet: BalanceSheet(totalAssets: assets, shareholdersEquity: equity))
            let end = LocalDate(year: 1990, month: 1, day: 1)!.adding(days: 7 * k).description
            periods.append(StatementPeriod(period: "P\(k)", end: end, statements: statements))
        }
        let a = try StatementAnalysis(periods: periods)
        #expect(a.dupont.count == 500)
        for (k, d) in a.dupont.enumerated() {
            let roe = try #require(d.returnOnEquity.value)
            // The direct quotient NI / equity, independently of the analysis.
            let s = periods[k].statements
            expectClose(roe, s.income.netIncome! / s.balanceSheet.shareholdersEquity!, relative: 1e-15, "ROE \(k)")
            expectValue(d.threeStepProduct, roe, "3-step, period \(k)")
            expectValue(d.fiveStepProduct, roe, "5-step, period \(k)")
        }
    }

    @Test func trendsFitALeastSquaresLinePerYear() throws {
        let t = try Self.analysis().trends
        #expect(Set(t.keys) == Set(StatementAnalysis.trendSeries))
        // Three equally spaced points x = 0, s, 2s (s = 365/365.25 years): the OLS slope is (y3 - y1) / 2s.
        let s = Self.yearStep
        let revenue = try #require(t["revenue"])
        expectValue(revenue.slopePerYear, 500 / (2 * s), "revenue slope")
        expectClose(try #require(revenue.mean), 3_700.0 / 3, relative: 1e-15, "revenue mean")
        #expect(revenue.points == 3 && revenue.direction == .up && revenue.improvingPeriods == 2)
        // Net income 135, 220, 216: up over the periods, but the last period fell.
        let netIncome = try #require(t["net_income"])
        expectValue(netIncome.slopePerYear, 81 / (2 * s), "net income slope")
        #expect(netIncome.direction == .up && netIncome.improvingPeriods == 0)
        // Operating income 200, 300, 300: the last period did not improve (equal is not better).
        #expect(t["operating_income"]?.improvingPeriods == 0)
        // Gross margin 0.4, 0.41667, 0.4: slope 0 → flat.
        let gross = try #require(t["gross_margin"])
        expectValue(gross.slopePerYear, 0, "gross margin slope", absolute: 1e-15)
        #expect(gross.direction == .flat)
        // ROE 0.15, 0.18333, 0.144: slope -0.006 / 2s ≈ -0.0030 a year, beyond 1% of the mean 0.1591 → down.
        let roe = try #require(t["return_on_equity"])
        expectValue(roe.slopePerYear, (0.144 - 0.15) / (2 * s), "ROE slope", absolute: 1e-15)
        #expect(roe.direction == .down && roe.improvingPeriods == 0)
        // EPS 1.35, 2, 1.8; book value per share 9, 10.909, 12.5 (two improvements).
        #expect(t["eps"]?.direction == .up)
        #expect(t["book_value_per_share"]?.improvingPeriods == 2)
    }

    @Test func trendSkipsMissingValuesAndFlatMeansUnderOnePercentOfTheMeanAYear() throws {
        // Revenue 1000, missing, 1005, 1012 at yearly ends (2013-2016, 365/365/366 days).
        let ends = ["2013-06-30", "2014-06-30", "2015-06-30", "2016-06-30"]
        let revenues: [Double?] = [1_000, nil, 1_005, 1_012]
        let periods = zip(ends, revenues).map { end, revenue in
            StatementPeriod(period: end, end: end, statements: FinancialStatements(income: IncomeStatement(revenue: revenue)))
        }
        let trend = try #require(try StatementAnalysis(periods: periods).trends["revenue"])
        // Plain OLS over the three points with a value.
        let x: [Double] = [0, 730.0 / 365.25, 1_096.0 / 365.25], y: [Double] = [1_000, 1_005, 1_012]
        let mx = (x[0] + x[1] + x[2]) / 3, my = (y[0] + y[1] + y[2]) / 3
        var sxy = 0.0, sxx = 0.0
        for k in 0..<3 {
            sxy += (x[k] - mx) * (y[k] - my)
            sxx += (x[k] - mx) * (x[k] - mx)
        }
        let slope = sxy / sxx
        #expect(trend.points == 3)
        expectValue(trend.slopePerYear, slope, "slope over the values held")
        // About 3.9 a year against a mean of 1005.7: under 1% (10.06) → flat.
        #expect(trend.direction == .flat)
        // 1012 > 1005, then the missing value stops the count.
        #expect(trend.improvingPeriods == 1)
    }

    @Test func growthAndCagrFromALossOrAZeroBaseAreNotAvailable() throws {
        var first = Self.fy2012.statements
        first.income.netIncome = -10
        first.income.operatingIncome = 0
        var last = Self.fy2014.statements
        last.income.revenue = nil
        last.cashFlow.operatingCashFlow = -5
        let a = try StatementAnalysis(periods: [
            StatementPeriod(period: "FY2012", end: "2012-12-31", statements: first), Self.fy2013,
            StatementPeriod(period: "FY2014", end: "2014-12-31", statements: last),
        ])
        #expect(a.growth["net_income"]?[1] == .notAvailable(reason: "base is not positive"))
        #expect(a.growth["operating_income"]?[1] == .notAvailable(reason: "base is not positive"))
        #expect(a.cagr["net_income"] == .notAvailable(reason: "base is not positive"))
        #expect(a.growth["revenue"]?[2] == .notAvailable(reason: "revenue is missing"))
        #expect(a.cagr["revenue"] == .notAvailable(reason: "revenue is missing"))
        #expect(a.cagr["operating_cash_flow"] == .notAvailable(reason: "last value is negative"))
        // A growth to a negative value is a rate: 360 → -5.
        expectValue(a.growth["operating_cash_flow"]?[2] ?? .value(.nan), -365.0 / 360, "OCF 360 → -5")
        // Without a FY2012 revenue, FY2013's growth names the period that lacks it.
        var noRevenue = Self.fy2012.statements
        noRevenue.income.revenue = nil
        let b = try StatementAnalysis(periods: [StatementPeriod(period: "FY2012", end: "2012-12-31", statements: noRevenue), Self.fy2013])
        #expect(b.growth["revenue"]?[1] == .notAvailable(reason: "revenue is missing in FY2012"))
        #expect(b.cagr["revenue"] == .notAvailable(reason: "revenue is missing in FY2012"))
        #expect(b.margins["gross"]?[0] == .notAvailable(reason: "revenue is missing"))
        #expect(b.commonSize.income["net_income"]?[0] == .notAvailable(reason: "revenue is missing"))
    }

    @Test func onePeriodHasNoGrowthCagrOrSlope() throws {
        let a = try StatementAnalysis(periods: [Self.fy2012])
        #expect(a.growth["revenue"] == [.notAvailable(reason: "no earlier period")])
        #expect(a.cagr["revenue"] == .notAvailable(reason: "needs at least two periods"))
        #expect(a.trends["revenue"]?.slopePerYear == .notAvailable(reason: "fewer than two periods have a value"))
        #expect(a.trends["revenue"]?.direction == nil && a.trends["revenue"]?.mean == 1_000)
        #expect(StatementAnalysis.Trend.Direction.up.rawValue == "up")
    }

    @Test func notAvailableReasonsNameTheDenominator() throws {
        var s = Self.fy2012.statements
        s.income.pretaxIncome = -40
        s.market.sharesOutstanding = 0
        s.balanceSheet.shareholdersEquity = -100
        let a = try StatementAnalysis(periods: [StatementPeriod(period: "FY2012", end: "2012-12-31", statements: s)])
        let d = a.dupont[0]
        #expect(d.taxBurden == .notAvailable(reason: "pretax income is negative, the ratio is not meaningful"))
        #expect(d.fiveStepProduct == .notAvailable(reason: "pretax income is negative, the ratio is not meaningful"))
        #expect(d.interestBurden == .value(-0.2))  // -40 / 200: a negative numerator is a value
        #expect(d.equityMultiplier == .notAvailable(reason: "shareholders' equity is negative, the ratio is not meaningful"))
        #expect(d.threeStepProduct == d.equityMultiplier)
        #expect(d.returnOnEquity == .notAvailable(reason: "shareholders' equity is negative, the ratio is not meaningful"))
        #expect(a.perShare["eps"] == [.notAvailable(reason: "shares outstanding is zero")])
        #expect(a.perShare["book_value"] == [.notAvailable(reason: "shares outstanding is zero")])
        let empty = try StatementAnalysis(periods: [StatementPeriod(period: "Q", end: "2020-03-31", statements: FinancialStatements())])
        #expect(empty.margins["ebitda"] == [.notAvailable(reason: "revenue is missing")])
        #expect(empty.perShare["dividends"] == [.notAvailable(reason: "shares outstanding is missing")])
        #expect(empty.dupont[0].interestBurden == .notAvailable(reason: "operating income is missing"))
        #expect(empty.trends["revenue"]?.slopePerYear == .notAvailable(reason: "no period has a value"))
    }

    @Test func refusesNoPeriodABadEndDateAndADuplicateEnd() {
        #expect(throws: QuantError.empty("periods")) { try StatementAnalysis(periods: []) }
        let badDate = StatementPeriod(period: "FY2013", end: "2013-13-01", statements: FinancialStatements())
        #expect(throws: QuantError.self) { try StatementAnalysis(periods: [Self.fy2012, badDate]) }
        let duplicate = StatementPeriod(period: "FY2012 restated", end: "2012-12-31", statements: FinancialStatements())
        let error = #expect(throws: QuantError.self) { try StatementAnalysis(periods: [Self.fy2013, Self.fy2012, duplicate]) }
        #expect(error?.kind == .invalidParameter && error?.message.contains("2012-12-31") == true)
    }

    @Test func encodesSnakeCaseKeysAndDecodesBack() throws {
        let a = try Self.analysis()
        let data = try JSONEncoder().encode(a)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["periods", "ends", "margins", "growth", "cagr", "common_size", "dupont", "per_share", "trends"])
        let dupont = try #require((object["dupont"] as? [[String: Any]])?.first)
        #expect(dupont.keys.contains("five_step_product") && dupont.keys.contains("return_on_equity"))
        let growth = try #require(object["growth"] as? [String: [[String: Any]]])
        #expect(growth["revenue"]?.first?["reason"] as? String == "no earlier period")
        #expect(try JSONDecoder().decode(StatementAnalysis.self, from: data) == a)
    }

    // MARK: helpers

    private func expectValue(
        _ actual: RatioValue, _ expected: Double, _ label: String, relative: Double = 1e-12, absolute: Double = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let value = actual.value else {
            Issue.record("\(label): not available (\(actual.reason ?? ""))", sourceLocation: sourceLocation)
            return
        }
        let tolerance = max(absolute, relative * abs(expected))
        #expect(abs(value - expected) <= tolerance, "\(label): \(value) vs \(expected)", sourceLocation: sourceLocation)
    }

    /// `nil` expects a not-available entry.
    private func expectValues(
        _ actual: [RatioValue]?, _ expected: [Double?], _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let actual, actual.count == expected.count else {
            Issue.record("\(label): \(String(describing: actual)) vs \(expected)", sourceLocation: sourceLocation)
            return
        }
        for (k, (a, e)) in zip(actual, expected).enumerated() {
            if let e {
                expectValue(a, e, "\(label) [\(k)]", absolute: 1e-15, sourceLocation: sourceLocation)
            } else {
                #expect(a.value == nil, "\(label) [\(k)]: \(a)", sourceLocation: sourceLocation)
            }
        }
    }
}
