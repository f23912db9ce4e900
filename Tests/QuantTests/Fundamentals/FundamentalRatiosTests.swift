import Foundation
import Quant
import Testing

@Suite("Fundamental ratios")
struct FundamentalRatiosTests {
    /// A made-up company with round numbers; every ratio below is worked out by hand in the comments.
    static let company = FinancialStatements(
        income: IncomeStatement(
            revenue: 1_000, costOfRevenue: 600, operatingIncome: 200, depreciationAndAmortization: 50, interestExpense: 20,
            pretaxIncome: 180, incomeTaxExpense: 45, netIncome: 135),
        balanceSheet: BalanceSheet(
            totalAssets: 2_000, currentAssets: 500, inventory: 100, currentLiabilities: 250, cashAndEquivalents: 150, totalDebt: 400,
            shareholdersEquity: 900),
        // Outflows as a cash-flow statement prints them (negative); their magnitude is used.
        cashFlow: CashFlowStatement(operatingCashFlow: 250, capitalExpenditure: -100, dividendsPaid: -54),
        market: MarketQuote(price: 27, sharesOutstanding: 100))  // market cap 2,700

    typealias Ratio = any KeyPath<FundamentalRatios, RatioValue> & Sendable

    static let workedExamples: [(String, Ratio, Double)] = [
        ("P/E = 2700 / 135", \.priceToEarnings, 20),
        ("P/B = 2700 / 900", \.priceToBook, 3),
        ("P/S = 2700 / 1000", \.priceToSales, 2.7),
        ("EV/EBITDA = (2700 + 400 - 150) / (200 + 50)", \.evToEBITDA, 11.8),
        ("ROE = 135 / 900", \.returnOnEquity, 0.15),
        ("ROA = 135 / 2000", \.returnOnAssets, 0.0675),
        ("ROIC = 200 * (1 - 45/180) / (400 + 900 - 150)", \.returnOnInvestedCapital, 150.0 / 1_150),
        ("gross margin = (1000 - 600) / 1000", \.grossMargin, 0.4),
        ("operating margin = 200 / 1000", \.operatingMargin, 0.2),
        ("net margin = 135 / 1000", \.netMargin, 0.135),
        ("current ratio = 500 / 250", \.currentRatio, 2),
        ("quick ratio = (500 - 100) / 250", \.quickRatio, 1.6),
        ("debt/equity = 400 / 900", \.debtToEquity, 400.0 / 900),
        ("interest coverage = 200 / 20", \.interestCoverage, 10),
        ("FCF yield = (250 - 100) / 2700", \.freeCashFlowYield, 150.0 / 2_700),
        ("dividend yield = 54 / 2700", \.dividendYield, 0.02),
        ("payout ratio = 54 / 135", \.payoutRatio, 0.4),
    ]

    @Test(arguments: workedExamples.indices)
    func workedExample(index: Int) throws {
        let (label, ratio, expected) = Self.workedExamples[index]
        let value = try #require(FundamentalRatios(Self.company)[keyPath: ratio].value, "\(label) not available")
        expectClose(value, expected, relative: 1e-14, label)
    }

    /// For each ratio: how to zero its denominator, and the reason expected.
    static let zeroDenominators: [(Ratio, @Sendable (inout FinancialStatements) -> Void, String)] = [
        (\.priceToEarnings, { $0.income.netIncome = 0 }, "net income is zero"),
        (\.priceToBook, { $0.balanceSheet.shareholdersEquity = 0 }, "shareholders' equity is zero"),
        (\.priceToSales, { $0.income.revenue = 0 }, "revenue is zero"),
        (\.evToEBITDA, { $0.income.depreciationAndAmortization = -200 }, "EBITDA is zero"),
        (\.returnOnEquity, { $0.balanceSheet.shareholdersEquity = 0 }, "shareholders' equity is zero"),
        (\.returnOnAssets, { $0.balanceSheet.totalAssets = 0 }, "total assets is zero"),
        (\.returnOnInvestedCapital, { $0.balanceSheet.totalDebt = -750 }, "invested capital is zero"),
        (\.grossMargin, { $0.income.revenue = 0 }, "revenue is zero"),
        (\.operatingMargin, { $0.income.revenue = 0 }, "revenue is zero"),
        (\.netMargin, { $0.income.revenue = 0 }, "revenue is zero"),
        (\.currentRatio, { $0.balanceSheet.currentLiabilities = 0 }, "current liabilities is zero"),
        (\.quickRatio, { $0.balanceSheet.currentLiabilities = 0 }, "current liabilities is zero"),
        (\.debtToEquity, { $0.balanceSheet.shareholdersEquity = 0 }, "shareholders' equity is zero"),
        (\.interestCoverage, { $0.income.interestExpense = 0 }, "interest expense is zero"),
        (\.freeCashFlowYield, { $0.market.sharesOutstanding = 0 }, "shares outstanding is zero"),
        (\.dividendYield, { $0.market.price = 0 }, "price is zero"),
        (\.payoutRatio, { $0.income.netIncome = 0 }, "net income is zero"),
    ]

    @Test(arguments: zeroDenominators.indices)
    func aZeroDenominatorIsNotAvailableWithItsReason(index: Int) {
        let (ratio, zero, reason) = Self.zeroDenominators[index]
        var statements = Self.company
        zero(&statements)
        #expect(FundamentalRatios(statements)[keyPath: ratio] == .notAvailable(reason: reason))
    }

    @Test func missingStatementsMakeEveryRatioNotAvailableWithTheMissingFigureNamed() throws {
        let ratios = FundamentalRatios(FinancialStatements())
        let all: [RatioValue] = Self.workedExamples.map { ratios[keyPath: $0.1] }
        #expect(all.allSatisfy { $0.value == nil && ($0.reason ?? "").hasSuffix("is missing") })
        #expect(ratios.priceToEarnings == .notAvailable(reason: "net income is missing"))
        // The denominator is checked first: with nothing known, the yield names the missing price.
        #expect(ratios.dividendYield == .notAvailable(reason: "price is missing"))
        var noDividends = Self.company
        noDividends.cashFlow.dividendsPaid = nil
        #expect(FundamentalRatios(noDividends).dividendYield == .notAvailable(reason: "dividends paid is missing"))
        var noInventory = Self.company
        noInventory.balanceSheet.inventory = nil
        #expect(FundamentalRatios(noInventory).quickRatio == .notAvailable(reason: "inventory is missing"))
        #expect(FundamentalRatios(noInventory).currentRatio.value == 2)
    }

    @Test func multiplesOverALossOrNegativeEquityAreNotMeaningful() {
        var loss = Self.company
        loss.income.netIncome = -10
        loss.balanceSheet.shareholdersEquity = -5
        let ratios = FundamentalRatios(loss)
        #expect(ratios.priceToEarnings == .notAvailable(reason: "net income is negative, the ratio is not meaningful"))
        #expect(ratios.payoutRatio.reason == "net income is negative, the ratio is not meaningful")
        #expect(ratios.returnOnEquity.reason == "shareholders' equity is negative, the ratio is not meaningful")
        // A loss over positive revenue is a meaningful (negative) margin.
        #expect(ratios.netMargin == .value(-0.01))
    }

    @Test func nonFiniteInputsNeverLeakIntoARatio() {
        var broken = Self.company
        broken.income.revenue = .nan
        broken.market.price = .infinity
        let ratios = FundamentalRatios(broken)
        #expect(ratios.grossMargin == .notAvailable(reason: "revenue is not a finite number"))
        #expect(ratios.priceToBook == .notAvailable(reason: "price is not a finite number"))
        let tiny = FundamentalRatios(FinancialStatements(
            income: IncomeStatement(revenue: Double.leastNormalMagnitude / 1e12, netIncome: 1e300)))
        #expect(tiny.netMargin.value == nil)
        #expect(tiny.netMargin.reason?.contains("overflows") == true)
    }

    @Test func ratioValuesEncodeWithAValueKeyAndAReasonWhenNull() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(data: try encoder.encode(RatioValue.value(1.5)), encoding: .utf8) == #"{"value":1.5}"#)
        let missing = RatioValue.notAvailable(reason: "revenue is zero")
        #expect(String(data: try encoder.encode(missing), encoding: .utf8) == #"{"reason":"revenue is zero","value":null}"#)
        let ratios = FundamentalRatios(Self.company)
        let decoded = try JSONDecoder().decode(FundamentalRatios.self, from: try encoder.encode(ratios))
        #expect(decoded == ratios)
    }
}
