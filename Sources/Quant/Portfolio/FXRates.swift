import Foundation

/// Exchange rates into a base currency: for each other currency `C`, daily rates "base units per one `C`"
/// (the close of the pair `C`+base, e.g. `EURUSD` for EUR in a USD portfolio). The rate of a day is the last
/// rate on or before it, like closes; the base currency's rate is exactly 1.
public struct FXRates: Sendable {
    public let base: String
    let history: PriceHistory

    /// Rates per currency, in any order (a repeated date keeps the last one given).
    public init(base: String, rates: [String: [(date: LocalDate, rate: Decimal)]] = [:]) {
        self.base = base
        history = PriceHistory(rates.mapValues { $0.map { (date: $0.date, close: $0.rate) } })
    }

    /// Only the base currency (every other currency has no rate).
    public static func only(_ base: String) -> FXRates { FXRates(base: base) }

    /// The rate of `currency` on `date` (base units per unit) and the day it was quoted: the last rate on or
    /// before `date`; `(1, date)` for the base currency; `nil` when there is no rate that early.
    public func rate(_ currency: String, on date: LocalDate) -> (rate: Decimal, date: LocalDate)? {
        if currency == base { return (1, date) }
        guard let series = history.table[currency], let i = series.lastIndex(onOrBefore: date.daysSinceEpoch) else { return nil }
        return (series.decimals[i], LocalDate(daysSinceEpoch: series.days[i]))
    }

    /// The name of the pair quoting `currency` in the base currency (`EURUSD`).
    public func pair(_ currency: String) -> String { currency + base }
}

/// Why a ledger cannot be valued in its base currency.
public enum CurrencyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No rate of `currency` (the pair `pair`) on or before `date`, the first day it is needed.
    case missingRate(currency: String, pair: String, date: LocalDate)
    /// The rows of one security use several currencies (a position is kept in one currency).
    case mixedSecurity(symbol: String, currencies: [String])

    public var description: String {
        switch self {
        case .missingRate(let c, let pair, let date): "no \(pair) rate on or before \(date) to convert \(c)"
        case .mixedSecurity(let s, let cs): "the rows of \(s) use several currencies (\(cs.joined(separator: ", "))); one currency per security"
        }
    }
}
