import Foundation
import ServiceKit

/// A tradable instrument: the `data` service's master record for a symbol.
public struct Instrument: Codable, Sendable, Equatable {
    public var symbol: String
    public var name: String
    public var exchange: String?
    public var currency: String
    public var type: InstrumentType
    public var sector: String?
    public var industry: String?

    public enum InstrumentType: String, Codable, Sendable, CaseIterable {
        case equity, etf, index, fund, bond, currency, crypto, commodity
    }
}

extension Instrument {
    static var symbolPattern: Regex<Substring> { /^[A-Z0-9][A-Z0-9.\-^=]{0,19}$/ }
    static var currencyPattern: Regex<Substring> { /^[A-Z]{3}$/ }

    /// Every problem with the instrument, for a 422 problem listing them all at once.
    func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if (try? Self.symbolPattern.wholeMatch(in: symbol)) == nil {
            errors.append(.init(field: "/symbol", reason: "must be 1-20 characters: upper-case letters, digits, '.', '-', '^' or '='"))
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 200 {
            errors.append(.init(field: "/name", reason: "must be 1-200 characters"))
        }
        if (try? Self.currencyPattern.wholeMatch(in: currency)) == nil {
            errors.append(.init(field: "/currency", reason: "must be an ISO 4217 code such as USD"))
        }
        for (field, value) in [("exchange", exchange), ("sector", sector), ("industry", industry)] {
            if let value, value.count > 100 { errors.append(.init(field: "/\(field)", reason: "must be at most 100 characters")) }
        }
        return errors
    }
}
