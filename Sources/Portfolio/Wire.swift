import Foundation
import Quant
import ServiceKit

// Wire types of the `portfolio` service. Money and quantities are `Decimal` and go out as exact JSON numbers:
// Foundation's JSONEncoder writes a Decimal as its decimal text (`0.1 + 0.2` is written `0.3`), and its decoder
// reads a number token into a Decimal without passing through Double. Inputs also accept a JSON string holding
// the number (`"10.25"`). Ratios, returns and weights are `Double`.

/// A portfolio as answered.
struct PortfolioView: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var baseCurrency: String
    var owner: String
    var createdAt: String
    var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, owner
        case baseCurrency = "base_currency"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The body of `POST /portfolios` and `PATCH /portfolios/{id}`.
struct PortfolioInput: Decodable, Sendable {
    var name: String?
    var baseCurrency: String?

    enum CodingKeys: String, CodingKey {
        case name
        case baseCurrency = "base_currency"
    }
}

/// One stored ledger row as answered.
struct TransactionView: Codable, Sendable, Equatable {
    var id: String
    var date: LocalDate
    var type: TransactionType
    var symbol: String
    var quantity: Decimal
    var price: Decimal
    var fee: Decimal
    var amount: Decimal?
    var currency: String
    var note: String
    /// Set on rows stored by an import.
    var imported: Bool

    init(_ row: StoredTransaction) {
        let t = row.transaction
        (id, date, type, symbol, quantity, price, fee, amount, currency, note) =
            (row.id, t.date, t.type, t.symbol, t.quantity, t.price, t.fee, t.amount, t.currency, t.note)
        imported = row.fingerprint != nil
    }
}

/// A number field of an input: a JSON number, or a string holding one; `invalid` keeps what could not be read.
enum DecimalInput: Decodable, Sendable {
    case value(Decimal)
    case invalid(String)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Decimal.self) {
            self = .value(d)
        } else if let s = try? c.decode(String.self) {
            let t = s.trimmingCharacters(in: .whitespaces)
            if (try? /^[+-]?(\d+(\.\d*)?|\.\d+)$/.wholeMatch(in: t)) != nil, let d = Decimal(string: t, locale: Locale(identifier: "en_US_POSIX")) {
                self = .value(d)
            } else {
                self = .invalid(s)
            }
        } else {
            self = .invalid("not a number")
        }
    }
}

/// One transaction in a request body; every field optional so that a PATCH names only what changes and a
/// missing or malformed field is a 422 naming it rather than a decoding failure.
struct TransactionInput: Decodable, Sendable {
    var date: String?
    var type: String?
    var symbol: String?
    var quantity: DecimalInput?
    var price: DecimalInput?
    var fee: DecimalInput?
    var amount: DecimalInput?
    var currency: String?
    var note: String?
    /// `amount: null` in a PATCH clears it; absent leaves it.
    var clearsAmount = false

    enum CodingKeys: String, CodingKey { case date, type, symbol, quantity, price, fee, amount, currency, note }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        date = try c.decodeIfPresent(String.self, forKey: .date)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        symbol = try c.decodeIfPresent(String.self, forKey: .symbol)
        quantity = try c.decodeIfPresent(DecimalInput.self, forKey: .quantity)
        price = try c.decodeIfPresent(DecimalInput.self, forKey: .price)
        fee = try c.decodeIfPresent(DecimalInput.self, forKey: .fee)
        amount = try c.decodeIfPresent(DecimalInput.self, forKey: .amount)
        clearsAmount = c.contains(.amount) && (try? c.decodeNil(forKey: .amount)) == true
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }

    /// The transaction this input describes on top of `base` (a new row's defaults, or the stored row a PATCH
    /// changes); every field error is named `prefix + /field`.
    func apply(to base: Transaction, prefix: String, errors: inout [FieldError]) -> Transaction {
        var t = base
        func fail(_ field: String, _ reason: String) { errors.append(FieldError(field: "\(prefix)/\(field)", reason: reason)) }
        if let date {
            if let d = LocalDate(date), date.count == 10 { t.date = d } else { fail("date", "must be a date in YYYY-MM-DD form") }
        }
        if let type {
            if let parsed = TransactionType(parsing: type) { t.type = parsed } else {
                fail("type", "must be one of \(TransactionType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let symbol {
            let s = symbol.trimmingCharacters(in: .whitespaces).uppercased()
            if s == Transaction.cashSymbol || (try? /^[A-Z0-9][A-Z0-9.\-^=]{0,19}$/.wholeMatch(in: s)) != nil { t.symbol = s } else {
                fail("symbol", "must be CASH or 1-20 characters: upper-case letters, digits, '.', '-', '^' or '='")
            }
        }
        func number(_ input: DecimalInput?, _ field: String) -> Decimal? {
            switch input {
            case .value(let d)?: return d
            case .invalid(let text)?: fail(field, "\"\(text)\" is not a number"); return nil
            case nil: return nil
            }
        }
        if let q = number(quantity, "quantity") { t.quantity = q }
        if let p = number(price, "price") { t.price = p }
        if let f = number(fee, "fee") { t.fee = f }
        if let a = number(amount, "amount") { t.amount = a }
        if clearsAmount { t.amount = nil }
        if let currency {
            let c = currency.uppercased()
            if Currencies.isKnown(c) { t.currency = c } else { fail("currency", "must be an ISO 4217 currency code such as USD") }
        }
        if let note {
            if note.count <= 1000 { t.note = note } else { fail("note", "must be at most 1000 characters") }
        }
        return t
    }

    /// Fields a new row must name.
    func missingFields(prefix: String) -> [FieldError] {
        var out: [FieldError] = []
        if date == nil { out.append(FieldError(field: "\(prefix)/date", reason: "is required")) }
        if type == nil { out.append(FieldError(field: "\(prefix)/type", reason: "is required")) }
        if symbol == nil { out.append(FieldError(field: "\(prefix)/symbol", reason: "is required")) }
        return out
    }
}

/// One transaction or an array of them (`POST …/transactions`).
enum TransactionBatch: Decodable, Sendable {
    case one(TransactionInput)
    case many([TransactionInput])

    init(from decoder: any Decoder) throws {
        if let many = try? [TransactionInput](from: decoder) { self = .many(many) } else { self = .one(try TransactionInput(from: decoder)) }
    }
}

/// Published on `portfolio.transaction.recorded` in the transaction that stores the rows (at most 1,000 ids an
/// event; a larger import publishes several, each with its own `count`).
struct TransactionRecordedEvent: Codable, Sendable, Equatable {
    static let topic = "portfolio.transaction.recorded"
    var portfolioID: String
    var transactionIDs: [String]
    var count: Int
    /// `manual` (the transactions route) or `import`.
    var source: String

    enum CodingKeys: String, CodingKey {
        case count, source
        case portfolioID = "portfolio_id"
        case transactionIDs = "transaction_ids"
    }
}

/// The part of `data.bars.stored` this service reads.
struct BarsStoredNotice: Decodable, Sendable {
    var symbol: String
}

/// Saved target weights: per symbol plus cash, summing to exactly 1.
struct Targets: Codable, Sendable, Equatable {
    var weights: [String: Decimal]
    var cash: Decimal
}

/// X-ray rule settings of a portfolio: each rule on or off, with its threshold (`min`/`max` for cash share).
struct XRaySettings: Codable, Sendable, Equatable {
    struct Rule: Codable, Sendable, Equatable {
        var enabled: Bool
        var threshold: Double?
        var min: Double?
        var max: Double?
    }

    var rules: [String: Rule]

    static let defaults = XRaySettings(rules: [
        "largest_position": Rule(enabled: true, threshold: 0.20),
        "largest_sector": Rule(enabled: true, threshold: 0.40),
        "largest_currency": Rule(enabled: false, threshold: 0.80),
        "fee_ratio": Rule(enabled: true, threshold: 0.01),
        "cash_share": Rule(enabled: true, min: 0.01, max: 0.20),
        "max_drawdown": Rule(enabled: true, threshold: -0.25),
        "positions": Rule(enabled: true, threshold: 5),
    ])

    /// The defaults with `self`'s rules laid over them.
    var merged: XRaySettings {
        var out = Self.defaults
        for (name, rule) in rules { out.rules[name] = rule }
        return out
    }
}

/// A Double for JSON: non-finite values become `nil` (JSON has no NaN).
func jsonNumber(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
