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
    /// ISO 3166-1 alpha-2 code of the issuer's country (`US`), when known.
    public var country: String? = nil

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
        if let country, !Self.countries.contains(country) {
            errors.append(.init(field: "/country", reason: "must be an ISO 3166-1 alpha-2 code such as US (upper case)"))
        }
        for (field, value) in [("exchange", exchange), ("sector", sector), ("industry", industry)] {
            if let value, value.count > 100 { errors.append(.init(field: "/\(field)", reason: "must be at most 100 characters")) }
        }
        return errors
    }
}

extension Instrument {
    /// The 249 officially assigned ISO 3166-1 alpha-2 codes.
    static let countries: Set<String> = [
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE",
        "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD",
        "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
        "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
        "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU",
        "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
        "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME",
        "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
        "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
        "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI",
        "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK",
        "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
        "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
    ]
}
