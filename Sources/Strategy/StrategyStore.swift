import Foundation
import SQLKit
import ServiceKit

/// Milliseconds since 1970, the time unit of the strategy tables.
enum Millis {
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}

/// JSON text columns, written and read with the service's one encoder.
enum StoredJSON {
    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try ServiceJSON.encoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try ServiceJSON.decoder().decode(type, from: Data(text.utf8))
    }
}

/// A stored strategy.
struct StrategyRecord: Sendable {
    var id: String
    var owner: String
    var name: String
    var definition: StrategyDefinition
    var paper: RunSettings?
    var live: Bool
    var liveSince: String?
    var createdAt: Int64
    var updatedAt: Int64

    var view: StrategyView {
        StrategyView(id: id, name: name, owner: owner, type: definition.type, builtin: definition.builtin, parameters: definition.parameters,
                     rules: definition.rules, symbols: definition.symbols, weights: definition.weights, live: live, liveSince: liveSince,
                     paper: paper, createdAt: Millis.date(createdAt), updatedAt: Millis.date(updatedAt))
    }
}

/// The `strategies` table. The definition and the paper settings are one JSON document (`definition`).
struct StrategyStore: Sendable {
    let database: Database

    /// What the `definition` column holds.
    private struct Stored: Codable {
        var definition: StrategyDefinition
        var paper: RunSettings?
    }

    private struct Row: Decodable {
        let id: String
        let owner: String
        let name: String
        let definition: String
        let live: Int64
        let live_since: String?
        let created_at: Int64
        let updated_at: Int64

        func record() throws -> StrategyRecord {
            let stored = try StoredJSON.decode(Stored.self, definition)
            return StrategyRecord(id: id, owner: owner, name: name, definition: stored.definition, paper: stored.paper, live: live != 0,
                                  liveSince: live_since, createdAt: created_at, updatedAt: updated_at)
        }
    }

    private static let columns = "id, owner, name, definition, live, live_since, created_at, updated_at"

    func create(_ record: StrategyRecord) async throws {
        let text = try StoredJSON.text(Stored(definition: record.definition, paper: record.paper))
        try await database.withSQL { sql in
            try await sql.raw("""
                INSERT INTO strategies (id, owner, name, definition, live, live_since, created_at, updated_at)
                VALUES (\(bind: record.id), \(bind: record.owner), \(bind: record.name), \(bind: text), \(bind: record.live ? 1 : 0),
                        \(bind: record.liveSince), \(bind: record.createdAt), \(bind: record.updatedAt))
                """).run()
        }
    }

    /// Replaces every mutable field of the strategy; a strategy going live (or back) resets its paper account in
    /// the same transaction, so the account always belongs to the current definition.
    func update(_ record: StrategyRecord, resetPaper: Bool) async throws {
        let text = try StoredJSON.text(Stored(definition: record.definition, paper: record.paper))
        try await database.transaction { sql in
            try await sql.raw("""
                UPDATE strategies SET name = \(bind: record.name), definition = \(bind: text), live = \(bind: record.live ? 1 : 0),
                    live_since = \(bind: record.liveSince), updated_at = \(bind: Millis.now()) WHERE id = \(bind: record.id)
                """).run()
            if resetPaper {
                try await sql.raw("DELETE FROM paper_accounts WHERE strategy_id = \(bind: record.id)").run()
            }
        }
    }

    /// Deletes the strategy with its signals and paper account; its runs stay (they hold their own definition).
    func delete(_ id: String) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM strategy_signals WHERE strategy_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM paper_accounts WHERE strategy_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM strategies WHERE id = \(bind: id)").run()
        }
    }

    func find(_ id: String) async throws -> StrategyRecord? {
        try await database.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM strategies WHERE id = \(bind: id)").first(decoding: Row.self)
        }?.record()
    }

    func list(owner: String) async throws -> [StrategyRecord] {
        try await database.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM strategies WHERE owner = \(bind: owner) ORDER BY created_at, id")
                .all(decoding: Row.self)
        }.map { try $0.record() }
    }

    /// Live strategies; the caller filters by symbol (a strategy's symbols are inside its definition).
    func live() async throws -> [StrategyRecord] {
        try await database.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM strategies WHERE live = 1 ORDER BY created_at, id").all(decoding: Row.self)
        }.map { try $0.record() }
    }
}
