import Foundation

/// One security's position on a date.
public struct Position: Hashable, Sendable, Codable {
    public var symbol: String
    public var quantity: Decimal
    /// Remaining cost of the open lots (trade fees of BUYs included).
    public var costBasis: Decimal
    /// The close used: the last close on or before the date, else the last trade price adjusted for splits;
    /// `nil` when the position is empty.
    public var close: Decimal?
    /// `quantity · close`.
    public var marketValue: Decimal
    /// Realized P&L of SELLs so far: `q·p − fee − cost consumed`.
    public var realized: Decimal
    /// `marketValue − costBasis`.
    public var unrealized: Decimal
    /// Gross dividends received so far.
    public var dividends: Decimal
    /// `marketValue / total value` (Double; 0 when the total is 0).
    public var weight: Double
    /// In a multi-currency portfolio: the currency of the position's rows and closes (`close` is in it; every
    /// other money figure is in the base currency), and the rate used for `marketValue`. `nil` otherwise.
    public var currency: String? = nil
    public var fxRate: Decimal? = nil
}

/// Positions, cash and cumulative P&L figures after every row dated on or before `date`.
///
/// All money is exact `Decimal`, and the figures satisfy, with no rounding:
/// `value − netContributions = realized + unrealized + transferredOutGain + dividends + interest − fees − taxes`.
/// Trade fees are not a separate term: a BUY's fee is inside its lot's cost and a SELL's fee is subtracted in
/// `realized`; `tradeFees` reports them for information only.
public struct Holdings: Hashable, Sendable, Codable {
    public var date: LocalDate
    public var cash: Decimal
    public var cashWeight: Double
    /// Positions that are open or have realized P&L or dividends, in order of first appearance in the ledger.
    public var positions: [Position]
    /// Open lots, oldest first within each symbol.
    public var lots: [Lot]
    /// Total value `cash + Σ quantity · close`.
    public var value: Decimal
    /// DEPOSITs + WITHDRAWALs (signed amounts) + TRANSFER_IN at market − TRANSFER_OUT at market.
    public var netContributions: Decimal
    public var realized: Decimal
    /// `Σ (quantity · close − costBasis)` over open positions.
    public var unrealized: Decimal
    /// Market value minus cost of the shares moved out by TRANSFER_OUT rows: a gain earned while held but not
    /// realized by a sale, kept apart from `realized`.
    public var transferredOutGain: Decimal
    /// Gross dividends `Σ q·p` of DIVIDEND rows.
    public var dividends: Decimal
    /// Gross interest `Σ q·p` of INTEREST rows.
    public var interest: Decimal
    /// FEE rows plus the fees on DIVIDEND and INTEREST rows (charges that are in no cost basis).
    public var fees: Decimal
    /// TAX rows (their `fee` field).
    public var taxes: Decimal
    /// Fees of BUY and SELL rows, already inside cost bases and realized P&L.
    public var tradeFees: Decimal
    /// In a multi-currency portfolio, the gain from exchange-rate moves on each currency's cash and cost
    /// basis since the money came in: `Σ_c [X_c(date)·(cash_c + cost_c) − Σ_rows Δ(cash_c + cost_c)·X_c(row date)]`;
    /// 0 in one currency.
    public var fxGain: Decimal = 0
    /// In a multi-currency portfolio, the cash balance of each currency in that currency (`cash` is their sum
    /// in the base currency at the date's rates); empty otherwise.
    public var cashByCurrency: [String: Decimal] = [:]

    /// `realized + unrealized + transferredOutGain + dividends + interest − fees − taxes + fxGain`; equals
    /// `value − netContributions` exactly.
    public var totalGain: Decimal {
        realized + unrealized + transferredOutGain + dividends + interest - fees - taxes + fxGain
    }
}
