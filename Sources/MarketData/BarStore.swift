import Foundation
import Quant
import SQLKit
import ServiceKit

/// Daily bars in the `data` service's database, keyed by (symbol, date).
public struct BarStore: Sendable {
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
            try await Self.store(symbol: symbol, bars: bars, overwrite: false, in: sql).inserted
        }
    }

    /// What ``store(symbol:bars:overwrite:in:)`` did.
    public struct StoreResult: Sendable, Equatable {
        public var inserted: Int
        public var updated: Int
    }

    /// Stores `bars` of `symbol` inside the caller's transaction `sql`: new dates are inserted; stored dates are
    /// left alone, or, with `overwrite`, replaced by the given values.
    public static func store(symbol: String, bars: [DailyBar], overwrite: Bool, in sql: any SQLDatabase) async throws -> StoreResult {
        var inserted = Set<String>()
        for chunk in bars.chunks(of: batchRows) {
            let rows = try await sql.raw(insertStatement(symbol: symbol, chunk, onConflict: "DO NOTHING RETURNING date")).all()
            for row in rows { inserted.insert(try row.decode(column: "date", as: String.self)) }
        }
        guard overwrite else {
            if !inserted.isEmpty { try await bumpVersion(of: [symbol], in: sql) }
            return StoreResult(inserted: inserted.count, updated: 0)
        }
        let existing = bars.filter { !inserted.contains($0.date) }
        for chunk in existing.chunks(of: batchRows) {
            try await sql.raw(insertStatement(symbol: symbol, chunk, onConflict: """
                DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
                    adj_close = excluded.adj_close, volume = excluded.volume
                """)).run()
        }
        if !bars.isEmpty { try await bumpVersion(of: [symbol], in: sql) }
        return StoreResult(inserted: inserted.count, updated: existing.count)
    }

    /// Marks the stored bars of `symbols` as changed (see ``version(of:)``), inside the writing transaction.
    static func bumpVersion(of symbols: some Sequence<String>, in sql: any SQLDatabase) async throws {
        for symbol in symbols {
            try await sql.raw("""
                INSERT INTO bar_versions (symbol, version) VALUES (\(bind: symbol), 1)
                ON CONFLICT (symbol) DO UPDATE SET version = bar_versions.version + 1
                """).run()
        }
    }

    /// A number that changes whenever a bar of `symbol` is written; `nil` when it has never had bars.
    public func version(of symbol: String) async throws -> Int64? {
        try await database.withSQL { sql in
            try await sql.raw("SELECT version FROM bar_versions WHERE symbol = \(bind: symbol)").first()?.decode(column: "version", as: Int64.self)
        }
    }

    /// One multi-row `INSERT … ON CONFLICT (symbol, date) <onConflict>` with every value bound.
    static func insertStatement(symbol: String, _ chunk: ArraySlice<DailyBar>, onConflict: String) -> SQLQueryString {
        var query = SQLQueryString("INSERT INTO bars (symbol, date, open, high, low, close, adj_close, volume) VALUES ")
        for (i, bar) in chunk.enumerated() {
            if i > 0 { query = query + ", " }
            query = query + "(\(bind: symbol), \(bind: bar.date), \(bind: bar.open), \(bind: bar.high), \(bind: bar.low), \(bind: bar.close), \(bind: bar.adjClose), \(bind: bar.volume))"
        }
        return query + " ON CONFLICT (symbol, date) \(unsafeRaw: onConflict)"
    }

    /// Bars of `symbol` with `from ≤ date ≤ to` (ISO dates; either may be nil), oldest first. Read through the
    /// storage layer's columnar path: one text array and one number array, no per-row decoder.
    public func range(symbol: String, from: String?, to: String?) async throws -> [DailyBar] {
        let (dates, values) = try await database.readTextAndNumbers(
            "SELECT date, open, high, low, close, adj_close, volume FROM bars WHERE symbol = $1 AND date >= $2 AND date <= $3 ORDER BY date",
            binds: [symbol, from ?? "0000-00-00", to ?? "9999-99-99"],
            columns: ["date", "open", "high", "low", "close", "adj_close", "volume"])
        return dates.indices.map { i in
            let v = i * 6
            return DailyBar(date: dates[i], open: values[v], high: values[v + 1], low: values[v + 2], close: values[v + 3],
                            adjClose: values[v + 4], volume: values[v + 5])
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

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
