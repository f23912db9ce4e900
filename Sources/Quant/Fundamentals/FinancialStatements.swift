/// The statement figures fundamental ratios are computed from, for one company and one period, in one
/// currency. Every figure is optional: a ratio that needs a missing one is `.notAvailable` with the reason.
public struct FinancialStatements: Sendable, Hashable, Codable {
    public var income: IncomeStatement
    public var balanceSheet: BalanceSheet
    public var cashFlow: CashFlowStatement
    public var market: MarketQuote

    public init(income: IncomeStatement = .init(), balanceSheet: BalanceSheet = .init(), cashFlow: CashFlowStatement = .init(), market: MarketQuote = .init()) {
        self.income = income
        self.balanceSheet = balanceSheet
        self.cashFlow = cashFlow
        self.market = market
    }
}

/// Income statement over the period (trailing twelve months for valuation multiples).
public struct IncomeStatement: Sendable, Hashable, Codable {
    public var revenue: Double?
    /// Cost of goods sold.
    public var costOfRevenue: Double?
    /// Operating income, used as EBIT.
    public var operatingIncome: Double?
    public var depreciationAndAmortization: Double?
    /// Interest paid on debt; the sign is ignored (statements print it either way).
    public var interestExpense: Double?
    public var pretaxIncome: Double?
    public var incomeTaxExpense: Double?
    /// Net income attributable to common shareholders.
    public var netIncome: Double?

    public init(
        revenue: Double? = nil, costOfRevenue: Double? = nil, operatingIncome: Double? = nil, depreciationAndAmortization: Double? = nil,
        interestExpense: Double? = nil, pretaxIncome: Double? = nil, incomeTaxExpense: Double? = nil, netIncome: Double? = nil
    ) {
        self.revenue = revenue
        self.costOfRevenue = costOfRevenue
        self.operatingIncome = operatingIncome
        self.depreciationAndAmortization = depreciationAndAmortization
        self.interestExpense = interestExpense
        self.pretaxIncome = pretaxIncome
        self.incomeTaxExpense = incomeTaxExpense
        self.netIncome = netIncome
    }
}

/// Balance sheet at the end of the period.
public struct BalanceSheet: Sendable, Hashable, Codable {
    public var totalAssets: Double?
    public var currentAssets: Double?
    public var inventory: Double?
    public var currentLiabilities: Double?
    public var cashAndEquivalents: Double?
    /// Short- plus long-term interest-bearing debt.
    public var totalDebt: Double?
    /// Total shareholders' equity.
    public var shareholdersEquity: Double?

    public init(
        totalAssets: Double? = nil, currentAssets: Double? = nil, inventory: Double? = nil, currentLiabilities: Double? = nil,
        cashAndEquivalents: Double? = nil, totalDebt: Double? = nil, shareholdersEquity: Double? = nil
    ) {
        self.totalAssets = totalAssets
        self.currentAssets = currentAssets
        self.inventory = inventory
        self.currentLiabilities = currentLiabilities
        self.cashAndEquivalents = cashAndEquivalents
        self.totalDebt = totalDebt
        self.shareholdersEquity = shareholdersEquity
    }
}

/// Cash-flow statement over the period. Outflows may be given with either sign; their magnitude is used.
public struct CashFlowStatement: Sendable, Hashable, Codable {
    public var operatingCashFlow: Double?
    public var capitalExpenditure: Double?
    /// Dividends paid to common shareholders.
    public var dividendsPaid: Double?

    public init(operatingCashFlow: Double? = nil, capitalExpenditure: Double? = nil, dividendsPaid: Double? = nil) {
        self.operatingCashFlow = operatingCashFlow
        self.capitalExpenditure = capitalExpenditure
        self.dividendsPaid = dividendsPaid
    }
}

/// Share price and shares outstanding at the valuation date.
public struct MarketQuote: Sendable, Hashable, Codable {
    public var price: Double?
    public var sharesOutstanding: Double?

    public init(price: Double? = nil, sharesOutstanding: Double? = nil) {
        self.price = price
        self.sharesOutstanding = sharesOutstanding
    }
}
