import Foundation

/// What a ledger row does. The raw values are the `type` column of the Bourse CSV layout.
public enum TransactionType: String, CaseIterable, Sendable, Codable {
    case buy = "BUY", sell = "SELL", dividend = "DIVIDEND", interest = "INTEREST", fee = "FEE", tax = "TAX"
    case deposit = "DEPOSIT", withdrawal = "WITHDRAWAL", split = "SPLIT"
    case transferIn = "TRANSFER_IN", transferOut = "TRANSFER_OUT"

    /// The type named by `text`, ignoring case and accepting `-` or a space for `_` (`transfer-in`).
    public init?(parsing text: String) {
        let normalized = text.trimmingCharacters(in: .whitespaces).uppercased()
            .replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        self.init(rawValue: normalized)
    }

    /// Rows that move money only and name the cash account (`CASH`), never a security.
    var isCashOnly: Bool { self == .deposit || self == .withdrawal || self == .interest || self == .fee }
    /// Rows that must name a security.
    var needsSecurity: Bool { !isCashOnly && self != .tax }
}

/// One ledger row. Money and quantities are `Decimal`; see `docs/portfolio.md` for every convention.
///
/// Per type, `quantity`/`price`/`fee` mean: BUY/SELL shares, price per share, trade fee; DIVIDEND shares and
/// dividend per share; INTEREST 1 and the interest; FEE and TAX the charge in `fee`; SPLIT the ratio in
/// `quantity` (2 for 2:1); TRANSFER_IN/OUT shares and the market price used to value the transfer.
/// DEPOSIT and WITHDRAWAL carry their signed cash effect in `amount` (positive in, negative out).
public struct Transaction: Hashable, Sendable, Codable {
    /// The symbol of the cash account: deposits, withdrawals, interest and fees name it.
    public static let cashSymbol = "CASH"

    public var date: LocalDate
    public var type: TransactionType
    public var symbol: String
    public var quantity: Decimal
    public var price: Decimal
    public var fee: Decimal
    public var currency: String
    /// The signed cash effect as recorded; when present it must equal ``cashEffect``.
    public var amount: Decimal?
    public var note: String

    public init(
        date: LocalDate, type: TransactionType, symbol: String, quantity: Decimal = 0, price: Decimal = 0, fee: Decimal = 0,
        currency: String = "USD", amount: Decimal? = nil, note: String = ""
    ) {
        self.date = date
        self.type = type
        self.symbol = symbol
        self.quantity = quantity
        self.price = price
        self.fee = fee
        self.currency = currency
        self.amount = amount
        self.note = note
    }

    /// The signed change of cash this row causes:
    /// DEPOSIT/WITHDRAWAL `amount` (0 when absent); BUY −(q·p + fee); SELL q·p − fee; DIVIDEND and INTEREST
    /// q·p − fee; FEE and TAX −fee; SPLIT, TRANSFER_IN and TRANSFER_OUT 0.
    public var cashEffect: Decimal {
        switch type {
        case .deposit, .withdrawal: amount ?? 0
        case .buy: -(quantity * price + fee)
        case .sell, .dividend, .interest: quantity * price - fee
        case .fee, .tax: -fee
        case .split, .transferIn, .transferOut: 0
        }
    }

    /// The external flow at market value (positive into the portfolio): deposits and withdrawals by their
    /// amount, TRANSFER_IN +q·price, TRANSFER_OUT −q·price; 0 for every other type (income and expenses are
    /// returns, not flows).
    public var externalFlow: Decimal {
        switch type {
        case .deposit, .withdrawal: amount ?? 0
        case .transferIn: quantity * price
        case .transferOut: -(quantity * price)
        default: 0
        }
    }

    /// Problems this row has on its own, whatever precedes it (holdings and dates are the ledger's checks).
    public var issues: [LedgerIssue] {
        var out: [LedgerIssue] = []
        func issue(_ field: String, _ reason: String) { out.append(LedgerIssue(index: 0, field: field, reason: reason)) }
        if quantity < 0 { issue("quantity", "must not be negative") }
        if price < 0 { issue("price", "must not be negative") }
        if fee < 0 { issue("fee", "must not be negative") }
        let isCash = symbol == Transaction.cashSymbol
        if symbol.isEmpty {
            issue("symbol", "is empty")
        } else if type.isCashOnly && !isCash {
            issue("symbol", "a \(type.rawValue) row names the cash account \(Transaction.cashSymbol), not \(symbol)")
        } else if type.needsSecurity && isCash {
            issue("symbol", "a \(type.rawValue) row names a security, not \(Transaction.cashSymbol)")
        }
        switch type {
        case .buy, .sell, .transferIn, .transferOut, .split:
            if quantity.isZero { issue("quantity", type == .split ? "a split ratio must be positive" : "must be positive") }
        case .deposit:
            if amount == nil { issue("amount", "a DEPOSIT needs its amount") }
            if let amount, amount < 0 { issue("amount", "a DEPOSIT's amount is positive") }
        case .withdrawal:
            if amount == nil { issue("amount", "a WITHDRAWAL needs its amount") }
            if let amount, amount > 0 { issue("amount", "a WITHDRAWAL's amount is its signed cash effect, negative") }
        default:
            break
        }
        if [.split, .transferIn, .transferOut].contains(type) && fee != 0 {
            issue("fee", "a \(type.rawValue) moves no cash; record its cost as a FEE row")
        }
        if type != .deposit && type != .withdrawal, let amount, amount != cashEffect {
            issue("amount", "\(amount) differs from the cash effect \(cashEffect) of a \(type.rawValue) row")
        }
        return out
    }
}

/// One problem with a ledger row: `index` is the row's position in the input, `field` the property at fault.
public struct LedgerIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    public var index: Int
    public var field: String
    public var reason: String

    public init(index: Int, field: String, reason: String) {
        self.index = index
        self.field = field
        self.reason = reason
    }

    public var description: String { "row \(index): \(field) \(reason)" }
}

/// A ledger refused: every problem found, in row order.
public struct LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    public let issues: [LedgerIssue]

    public init(issues: [LedgerIssue]) {
        self.issues = issues
    }

    public var description: String { issues.map(\.description).joined(separator: "; ") }
}
