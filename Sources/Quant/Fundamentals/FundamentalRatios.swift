/// Valuation, profitability, liquidity and leverage ratios of one company for one period.
///
/// All figures are end-of-period values (no averaging of opening and closing balances). Market
/// capitalisation is `price × sharesOutstanding`; enterprise value is `market cap + totalDebt − cash`.
/// A ratio over a zero denominator is not available; so is one over a negative denominator where the sign
/// makes it meaningless (earnings, equity, EBITDA, revenue, assets, liabilities, interest, invested capital).
/// Ratios are plain fractions: a 25% margin is 0.25.
public struct FundamentalRatios: Sendable, Hashable, Codable {
    /// Price/earnings: `market cap / net income`.
    public let priceToEarnings: RatioValue
    /// Price/book: `market cap / shareholders' equity`.
    public let priceToBook: RatioValue
    /// Price/sales: `market cap / revenue`.
    public let priceToSales: RatioValue
    /// `enterprise value / EBITDA`, EBITDA = `operating income + depreciation and amortisation`.
    public let evToEBITDA: RatioValue
    /// Return on equity: `net income / shareholders' equity`.
    public let returnOnEquity: RatioValue
    /// Return on assets: `net income / total assets`.
    public let returnOnAssets: RatioValue
    /// Return on invested capital: `operating income × (1 − tax rate) / (total debt + equity − cash)`, tax
    /// rate = `income tax expense / pretax income` (needs a positive pretax income).
    public let returnOnInvestedCapital: RatioValue
    /// `(revenue − cost of revenue) / revenue`.
    public let grossMargin: RatioValue
    /// `operating income / revenue`.
    public let operatingMargin: RatioValue
    /// `net income / revenue`.
    public let netMargin: RatioValue
    /// `current assets / current liabilities`.
    public let currentRatio: RatioValue
    /// `(current assets − inventory) / current liabilities`.
    public let quickRatio: RatioValue
    /// `total debt / shareholders' equity`.
    public let debtToEquity: RatioValue
    /// `operating income (EBIT) / |interest expense|`.
    public let interestCoverage: RatioValue
    /// `(operating cash flow − |capital expenditure|) / market cap`.
    public let freeCashFlowYield: RatioValue
    /// `|dividends paid| / market cap` (= dividend per share / price).
    public let dividendYield: RatioValue
    /// `|dividends paid| / net income`.
    public let payoutRatio: RatioValue

    /// Computes every ratio; never throws and never yields NaN or an infinity.
    public init(_ s: FinancialStatements) {
        let i = s.income, b = s.balanceSheet, c = s.cashFlow
        let price = RatioValue.input(s.market.price, "price").positive("price")
        let shares = RatioValue.input(s.market.sharesOutstanding, "shares outstanding").positive("shares outstanding")
        let marketCap = price.combine(shares, *)
        let revenue = RatioValue.input(i.revenue, "revenue")
        let netIncome = RatioValue.input(i.netIncome, "net income")
        let operatingIncome = RatioValue.input(i.operatingIncome, "operating income")
        let equity = RatioValue.input(b.shareholdersEquity, "shareholders' equity")
        let debt = RatioValue.input(b.totalDebt, "total debt")
        let cash = RatioValue.input(b.cashAndEquivalents, "cash and equivalents")
        let currentAssets = RatioValue.input(b.currentAssets, "current assets")
        let currentLiabilities = RatioValue.input(b.currentLiabilities, "current liabilities")
        let dividends = RatioValue.input(c.dividendsPaid, "dividends paid").map(abs)

        priceToEarnings = .ratio(marketCap, over: netIncome, named: "net income")
        priceToBook = .ratio(marketCap, over: equity, named: "shareholders' equity")
        priceToSales = .ratio(marketCap, over: revenue, named: "revenue")
        let enterpriseValue = marketCap.combine(debt, +).combine(cash, -)
        let ebitda = operatingIncome.combine(RatioValue.input(i.depreciationAndAmortization, "depreciation and amortization"), +)
        evToEBITDA = .ratio(enterpriseValue, over: ebitda, named: "EBITDA")
        returnOnEquity = .ratio(netIncome, over: equity, named: "shareholders' equity")
        returnOnAssets = .ratio(netIncome, over: RatioValue.input(b.totalAssets, "total assets"), named: "total assets")
        let taxRate = RatioValue.ratio(
            RatioValue.input(i.incomeTaxExpense, "income tax expense"), over: RatioValue.input(i.pretaxIncome, "pretax income"),
            named: "pretax income (needed for the tax rate)")
        let nopat = operatingIncome.combine(taxRate) { $0 * (1 - $1) }
        let investedCapital = debt.combine(equity, +).combine(cash, -)
        returnOnInvestedCapital = .ratio(nopat, over: investedCapital, named: "invested capital")
        grossMargin = .ratio(revenue.combine(RatioValue.input(i.costOfRevenue, "cost of revenue"), -), over: revenue, named: "revenue")
        operatingMargin = .ratio(operatingIncome, over: revenue, named: "revenue")
        netMargin = .ratio(netIncome, over: revenue, named: "revenue")
        currentRatio = .ratio(currentAssets, over: currentLiabilities, named: "current liabilities")
        quickRatio = .ratio(
            currentAssets.combine(RatioValue.input(b.inventory, "inventory"), -), over: currentLiabilities, named: "current liabilities")
        debtToEquity = .ratio(debt, over: equity, named: "shareholders' equity")
        interestCoverage = .ratio(
            operatingIncome, over: RatioValue.input(i.interestExpense, "interest expense").map(abs), named: "interest expense")
        let freeCashFlow = RatioValue.input(c.operatingCashFlow, "operating cash flow")
            .combine(RatioValue.input(c.capitalExpenditure, "capital expenditure").map(abs), -)
        freeCashFlowYield = .ratio(freeCashFlow, over: marketCap, named: "market capitalization")
        dividendYield = .ratio(dividends, over: marketCap, named: "market capitalization")
        payoutRatio = .ratio(dividends, over: netIncome, named: "net income")
    }
}

extension RatioValue {
    /// Not available unless strictly positive (a price or a share count).
    fileprivate func positive(_ name: String) -> RatioValue {
        guard case .value(let v) = self else { return self }
        if v == 0 { return .notAvailable(reason: "\(name) is zero") }
        return v > 0 ? self : .notAvailable(reason: "\(name) is negative")
    }
}
