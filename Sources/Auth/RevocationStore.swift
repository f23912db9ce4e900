import Foundation
import SQLKit
import ServiceKit

/// The revocation feed: what was revoked before its natural expiry, in commit order (`seq`), for the gateway to
/// follow (`GET /api/v1/auth/revocations?after=`). Entries are written in the transaction that revokes.
struct RevocationStore: Sendable {
    let database: Database

    /// Appends an entry inside `sql`'s transaction. The table lock makes `seq` follow commit order, so a reader
    /// that has seen entry n has seen every earlier one (revocations are rare: the lock costs nothing).
    static func add(_ entry: RevocationList.Entry, engine: Database.Engine, in sql: any SQLDatabase) async throws {
        if engine == .postgres { try await sql.raw("LOCK TABLE revocations IN EXCLUSIVE MODE").run() }
        let last = try await sql.raw("SELECT COALESCE(MAX(seq), 0) AS m FROM revocations").first()?.decode(column: "m", as: Int64.self) ?? 0
        let next = last + 1
        try await sql.raw("""
            INSERT INTO revocations (seq, kind, subject_id, until_at, created_at)
            VALUES (\(bind: next), \(bind: entry.kind.rawValue), \(bind: entry.id), \(bind: Int64(entry.until.rounded(.up))), \(bind: Secrets.now()))
            """).run()
    }

    struct Page: Codable, Sendable {
        let cursor: Int64
        let entries: [RevocationList.Entry]
    }

    /// Entries after `cursor` that still matter (`until` in the future, or a subject entry within `horizon`).
    func page(after cursor: Int64, horizon: Int64, limit: Int = 1000) async throws -> Page {
        struct Row: Decodable { let seq: Int64; let kind: String; let subject_id: String; let until_at: Int64 }
        let now = Secrets.now()
        let rows = try await database.withSQL { sql in
            try await sql.raw("""
                SELECT seq, kind, subject_id, until_at FROM revocations WHERE seq > \(bind: cursor) ORDER BY seq LIMIT \(bind: limit)
                """).all(decoding: Row.self)
        }
        let entries = rows.compactMap { row -> RevocationList.Entry? in
            guard let kind = RevocationList.Entry.Kind(rawValue: row.kind) else { return nil }
            let live = kind == .subject ? row.until_at + horizon > now : row.until_at > now
            return live ? RevocationList.Entry(kind: kind, id: row.subject_id, until: Double(row.until_at)) : nil
        }
        return Page(cursor: rows.last?.seq ?? cursor, entries: entries)
    }
}
