import Foundation
import SQLKit
import ServiceKit

/// Fundamentals (financial statements by period, one row per line item) and corporate actions (splits and
/// dividends) in the `data` service's database.
struct ReferenceStore: Sendable {
    let database: Database

    /// One statement of one period: its line items by name.
    struct Statement: Codable, Sendable, Equatable {
        var statement: String
        var period: String
        var periodEnd: String
        var currency: String
        var items: [String: Double]

        enum CodingKeys: String, CodingKey {
            case statement, period, currency, items
            case periodEnd = "period_end"
        }

        static let kinds = ["income", "balance", "cashflow"]
        static let periods = ["annual", "quarterly"]
    }

    struct Action: Codable, Sendable, Equatable {
        var date: String
        var kind: String
        /// Split: new shares per old share. Dividend: cash per share.
        var value: Double
        var currency: String?

        static let kinds = ["split", "dividend"]
    }

    /// Replaces the given statements of `symbol` (each statement's items as a whole) in one transaction.
    func putStatements(symbol: String, _ statements: [Statement]) async throws {
        try await database.transaction { sql in
            for s in statements {
                try await sql.raw("""
                    DELETE FROM fundamentals WHERE symbol = \(bind: symbol) AND statement = \(bind: s.statement)
                      AND period = \(bind: s.period) AND period_end = \(bind: s.periodEnd)
                    """).run()
                for (item, value) in s.items.sorted(by: { $0.key < $1.key }) {
                    try await sql.raw("""
                        INSERT INTO fundamentals (symbol, statement, period, period_end, currency, item, value)
                        VALUES (\(bind: symbol), \(bind: s.statement), \(bind: s.period), \(bind: s.periodEnd), \(bind: s.currency),
                                \(bind: item), \(bind: value))
                        """).run()
                }
            }
        }
    }

    /// Statements of `symbol`, newest period first, optionally of one kind and one period type.
    func statements(symbol: String, statement: String?, period: String?) async throws -> [Statement] {
        let rows = try await database.withSQL { sql in
            var query = SQLQueryString("SELECT statement, period, period_end, currency, item, value FROM fundamentals WHERE symbol = \(bind: symbol)")
            if let statement { query = query + " AND statement = \(bind: statement)" }
            if let period { query = query + " AND period = \(bind: period)" }
            return try await sql.raw(query + " ORDER BY period_end DESC, statement, period, item").all()
        }
        var out: [Statement] = []
        for row in rows {
            let (kind, period, end) = (try row.decode(column: "statement", as: String.self), try row.decode(column: "period", as: String.self),
                                       try row.decode(column: "period_end", as: String.self))
            let (item, value) = (try row.decode(column: "item", as: String.self), try row.decode(column: "value", as: Double.self))
            if let last = out.last, last.statement == kind, last.period == period, last.periodEnd == end {
                out[out.count - 1].items[item] = value
            } else {
                out.append(Statement(statement: kind, period: period, periodEnd: end, currency: try row.decode(column: "currency", as: String.self),
                                     items: [item: value]))
            }
        }
        return out
    }

    /// Inserts or replaces actions of `symbol` (keyed by date and kind) in one transaction.
    func putActions(symbol: String, _ actions: [Action]) async throws {
        try await database.transaction { sql in
            for a in actions {
                try await sql.raw("""
                    INSERT INTO corporate_actions (symbol, date, kind, value, currency)
                    VALUES (\(bind: symbol), \(bind: a.date), \(bind: a.kind), \(bind: a.value), \(bind: a.currency))
                    ON CONFLICT (symbol, date, kind) DO UPDATE SET value = excluded.value, currency = excluded.currency
                    """).run()
            }
        }
    }

    /// Actions of `symbol` with `from ≤ date ≤ to`, oldest first.
    func actions(symbol: String, kind: String?, from: String?, to: String?) async throws -> [Action] {
        try await database.withSQL { sql in
            var query = SQLQueryString("""
                SELECT date, kind, value, currency FROM corporate_actions
                WHERE symbol = \(bind: symbol) AND date >= \(bind: from ?? "0000-00-00") AND date <= \(bind: to ?? "9999-99-99")
                """)
            if let kind { query = query + " AND kind = \(bind: kind)" }
            return try await sql.raw(query + " ORDER BY date, kind").all(decoding: Action.self)
        }
    }
}
