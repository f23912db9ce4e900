import Foundation
import SQLKit
import ServiceKit

/// Instruments in the `data` service's own database.
public struct InstrumentStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Query: Sendable {
        public var search: String?
        public var type: Instrument.InstrumentType?
        public var exchange: String?
        public var limit: Int = 100
        public var offset: Int = 0
    }

    struct Row: Decodable {
        let symbol: String
        let name: String
        let exchange: String?
        let currency: String
        let type: String
        let sector: String?
        let industry: String?
        let country: String?

        var instrument: Instrument {
            Instrument(symbol: symbol, name: name, exchange: exchange, currency: currency,
                       type: Instrument.InstrumentType(rawValue: type) ?? .equity, sector: sector, industry: industry, country: country)
        }
    }

    /// Instruments matching `query`, ordered by symbol, and the total number matching.
    public func list(_ query: Query) async throws -> (items: [Instrument], total: Int) {
        try await database.withSQL { sql in
            var filter = SQLQueryString("1 = 1")
            if let search = query.search, !search.isEmpty {
                let pattern = "%" + search.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
                filter = filter + " AND (LOWER(symbol) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(name) LIKE \(bind: pattern) ESCAPE '\\')"
            }
            if let type = query.type { filter = filter + " AND type = \(bind: type.rawValue)" }
            if let exchange = query.exchange { filter = filter + " AND exchange = \(bind: exchange)" }
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM instruments WHERE " + filter).first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await sql.raw("""
                SELECT symbol, name, exchange, currency, type, sector, industry, country FROM instruments WHERE \(filter)
                ORDER BY symbol LIMIT \(bind: query.limit) OFFSET \(bind: query.offset)
                """).all(decoding: Row.self)
            return (rows.map(\.instrument), total)
        }
    }

    public func find(_ symbol: String) async throws -> Instrument? {
        try await database.withSQL { sql in
            try await sql.raw("""
                SELECT symbol, name, exchange, currency, type, sector, industry, country FROM instruments WHERE symbol = \(bind: symbol)
                """).first(decoding: Row.self)?.instrument
        }
    }

    /// Inserts `instrument`; `false` when the symbol already exists (nothing is changed then).
    public func create(_ instrument: Instrument) async throws -> Bool {
        try await database.transaction { sql in
            let exists = try await sql.raw("SELECT 1 AS one FROM instruments WHERE symbol = \(bind: instrument.symbol)").first() != nil
            if exists { return false }
            try await sql.raw("""
                INSERT INTO instruments (symbol, name, exchange, currency, type, sector, industry, country, created_at)
                VALUES (\(bind: instrument.symbol), \(bind: instrument.name), \(bind: instrument.exchange), \(bind: instrument.currency),
                        \(bind: instrument.type.rawValue), \(bind: instrument.sector), \(bind: instrument.industry), \(bind: instrument.country),
                        \(bind: Date().formatted(.iso8601)))
                """).run()
            return true
        }
    }
}
