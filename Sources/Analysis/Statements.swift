import Foundation
import Quant
import ServiceKit

/// How `data`'s statement line items become Quant's `FinancialStatements`: an item named like a field in snake_case
/// (`revenue`, `cost_of_revenue`, `operating_income`, `net_income`, `total_assets`, `shareholders_equity`,
/// `operating_cash_flow`, `capital_expenditure`, `dividends_paid`, `shares_outstanding`, …) fills that field,
/// whichever statement holds it; other items are ignored. Statements of one period (same `period_end`) are merged.
enum StatementMapping {
    /// Puts `value` into the field named `item`; false for a name that is not a field.
    static func assign(_ item: String, _ value: Double, into s: inout FinancialStatements) -> Bool {
        switch item {
        case "revenue": s.income.revenue = value
        case "cost_of_revenue": s.income.costOfRevenue = value
        case "operating_income": s.income.operatingIncome = value
        case "depreciation_and_amortization": s.income.depreciationAndAmortization = value
        case "interest_expense": s.income.interestExpense = value
        case "pretax_income": s.income.pretaxIncome = value
        case "income_tax_expense": s.income.incomeTaxExpense = value
        case "net_income": s.income.netIncome = value
        case "total_assets": s.balanceSheet.totalAssets = value
        case "current_assets": s.balanceSheet.currentAssets = value
        case "inventory": s.balanceSheet.inventory = value
        case "current_liabilities": s.balanceSheet.currentLiabilities = value
        case "cash_and_equivalents": s.balanceSheet.cashAndEquivalents = value
        case "total_debt": s.balanceSheet.totalDebt = value
        case "shareholders_equity": s.balanceSheet.shareholdersEquity = value
        case "operating_cash_flow": s.cashFlow.operatingCashFlow = value
        case "capital_expenditure": s.cashFlow.capitalExpenditure = value
        case "dividends_paid": s.cashFlow.dividendsPaid = value
        case "shares_outstanding": s.market.sharesOutstanding = value
        default: return false
        }
        return true
    }

    /// One period's merged statements (no price yet).
    struct Period: Sendable {
        var period: String
        var end: String
        var statements: FinancialStatements
    }

    /// Merges `data`'s statements by period end, newest first.
    static func periods(_ records: [StatementRecord]) -> [Period] {
        var byEnd: [String: Period] = [:]
        for r in records {
            var p = byEnd[r.periodEnd] ?? Period(period: r.period, end: r.periodEnd, statements: FinancialStatements())
            for (name, value) in r.items { _ = assign(name.lowercased(), value, into: &p.statements) }
            byEnd[r.periodEnd] = p
        }
        return byEnd.values.sorted { $0.end > $1.end }
    }

    /// The close on `date` or the last before it (and its date), from daily bars.
    static func close(_ bars: OHLCV?, onOrBefore date: String) -> (price: Double, date: String)? {
        guard let bars, let i = bars.dates.lastIndex(where: { $0 <= date }) else { return nil }
        return (bars.close[i], bars.dates[i])
    }

    /// Every ratio of `FundamentalRatios` by its answer name.
    static func ratios(_ r: FundamentalRatios) -> [(String, RatioValue)] {
        [
            ("pe", r.priceToEarnings), ("pb", r.priceToBook), ("ps", r.priceToSales), ("ev_ebitda", r.evToEBITDA),
            ("roe", r.returnOnEquity), ("roa", r.returnOnAssets), ("roic", r.returnOnInvestedCapital), ("gross_margin", r.grossMargin),
            ("operating_margin", r.operatingMargin), ("net_margin", r.netMargin), ("current_ratio", r.currentRatio),
            ("quick_ratio", r.quickRatio), ("debt_to_equity", r.debtToEquity), ("interest_coverage", r.interestCoverage),
            ("fcf_yield", r.freeCashFlowYield), ("dividend_yield", r.dividendYield), ("payout_ratio", r.payoutRatio),
        ]
    }

    /// One period's ratios as answered.
    struct RatiosView: Encodable, Sendable {
        var period: String
        var periodEnd: String
        var price: Double?
        var priceDate: String?
        var ratios: [String: Double?]
        var notAvailable: [String: String]

        enum CodingKeys: String, CodingKey {
            case period, price, ratios
            case periodEnd = "period_end"
            case priceDate = "price_date"
            case notAvailable = "not_available"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(period, forKey: .period)
            try c.encode(periodEnd, forKey: .periodEnd)
            try c.encode(price, forKey: .price)
            try c.encode(priceDate, forKey: .priceDate)
            try c.encode(ratios, forKey: .ratios)
            try c.encode(notAvailable, forKey: .notAvailable)
        }
    }

    /// Ratios of each period with the price on its end date (`latest: false`) or the latest close.
    static func ratioViews(_ periods: [Period], bars: OHLCV?, latest: Bool) -> [RatiosView] {
        periods.map { p in
            var s = p.statements
            let quote = latest ? bars.flatMap { b in b.close.last.map { ($0, b.dates.last!) } } : close(bars, onOrBefore: p.end)
            s.market.price = quote?.0
            var values: [String: Double?] = [:], missing: [String: String] = [:]
            for (name, value) in ratios(FundamentalRatios(s)) {
                values[name] = value.value
                if let reason = value.reason { missing[name] = reason }
            }
            if quote == nil {
                for name in ["pe", "pb", "ps", "ev_ebitda", "fcf_yield", "dividend_yield"] { missing[name] = "no close of the symbol on or before \(p.end)" }
            }
            return RatiosView(period: p.period, periodEnd: p.end, price: quote?.0, priceDate: quote?.1, ratios: values, notAvailable: missing)
        }
    }
}
