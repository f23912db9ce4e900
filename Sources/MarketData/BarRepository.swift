import Foundation
import Quant
import SQLKit
import ServiceKit

/// Daily bars in the `data` service's database, keyed by (symbol, date).
public struct BarRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Rows per multi-row INSERT: 8 bound values each, well under both engines' parameter limits.
    public static let batchRows = 500

    struct Row: Decodable {
        let date: String
        let open: Double
        let high: Double
        let low: Double
        let close: Double
        let adj_close: Double
        let volume: Double

        var bar: DailyBar { DailyBar(date: date, open: open, high: high, low: low, close: close, adjClose: adj_close, volume: volume) }
    }

    /// Stores `bars` of `symbol` in one transaction, in multi-row batches. A bar whose (symbol, date) is already
    /// stored is left as it is, so storing the same bars again (a redelivered event) changes nothing.
    /// - Returns: how many bars were new.
    @discardableResult
    public func insert(symbol: String, bars: [DailyBar]) async throws -> Int {
        guard !bars.isEmpty else { return 0 }
        return try await database.transaction { sql in
            var inserted = 0
            var start = 0
            while start < bars.count {
                let chunk = bars[start..<min(start + Self.batchRows, bars.count)]
                var query = SQLQueryString("INSERT INTO bars (symbol, date, open, high, low, close, adj_close, volume) VALUES ")
                for (i, bar) in chunk.enumerated() {
                    if i > 0 { query = query + ", " }
                    query = query + "(\(bind: symbol), \(bind: bar.date), \(bind: bar.open), \(bind: bar.high), \(bind: bar.low), \(bind: bar.close), \(bind: bar.adjClose), \(bind: bar.volume))"
                }
                query = query + " ON CONFLICT (symbol, date) DO NOTHING RETURNING date"
                inserted += try await sql.raw(query).all().count
                start += Self.batchRows
            }
            return inserted
        }
    }

    /// Bars of `symbol` with `from ≤ date ≤ to` (ISO dates; either may be nil), oldest first.
    public func range(symbol: String, from: String?, to: String?) async throws -> [DailyBar] {
        try await database.withSQL { sql in
            try await sql.raw("""
                SELECT date, open, high, low, close, adj_close, volume FROM bars
                WHERE symbol = \(bind: symbol) AND date >= \(bind: from ?? "0000-00-00") AND date <= \(bind: to ?? "9999-99-99")
                ORDER BY date
                """).all(decoding: Row.self).map(\.bar)
        }
    }

    /// The newest bar of `symbol`.
    public func latest(symbol: String) async throws -> DailyBar? {
        try await database.withSQL { sql in
            try await sql.raw("""
                SELECT date, open, high, low, close, adj_close, volume FROM bars WHERE symbol = \(bind: symbol)
                ORDER BY date DESC LIMIT 1
                """).first(decoding: Row.self)?.bar
        }
    }
}
