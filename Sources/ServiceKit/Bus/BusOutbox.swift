import Foundation
import SQLKit

/// One event waiting in a publisher's outbox (and the shape an event has when it is appended to the log).
struct OutboxRow: Sendable, Decodable {
    var id: Int64 = 0
    let topic: String
    let key: String?
    let eventID: String
    let payload: Data
    /// JSON object text, as stored.
    let headers: String
    let createdAt: Int64

    init(id: Int64 = 0, topic: String, key: String?, eventID: String, payload: Data, headers: String, createdAt: Int64) {
        (self.id, self.topic, self.key, self.eventID, self.payload, self.headers, self.createdAt) = (id, topic, key, eventID, payload, headers, createdAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, topic, payload, headers
        case key = "event_key"
        case eventID = "event_id"
        case createdAt = "created_at"
    }
}

/// The SQL of the transactional outbox: enqueueing inside a publisher's transaction, and one relay step.
enum BusOutbox {
    /// Appends an event to `bus_outbox` in the caller's transaction. A repeated (topic, event id) is ignored.
    static func enqueue(topic: String, key: String?, eventID: String, payload: Data, headers: String,
                        engine: Database.Engine, in sql: any SQLDatabase) async throws {
        if engine == .postgres {
            // Held to commit: outbox ids of one topic are then in commit order, which the relay keeps.
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: EventBus.outboxLockSpace), \(bind: EventBus.lockKey(topic)))").run()
        }
        try await sql.raw("""
            INSERT INTO bus_outbox (topic, event_key, event_id, payload, headers, created_at)
            VALUES (\(bind: topic), \(bind: key), \(bind: eventID), \(bind: payload), \(bind: headers), \(bind: BusCoding.millis()))
            ON CONFLICT (topic, event_id) DO NOTHING
            """).run()
        if engine == .postgres {
            // Delivered at commit only: the relay wakes for committed rows, never for rolled-back ones.
            try await sql.raw("SELECT pg_notify(\(bind: BusListener.outboxChannel), '')").run()
        }
    }

    /// What one relay step did.
    struct Step: Sendable {
        /// Rows copied to the store (including ones the store already had, from an earlier interrupted step).
        var relayed: Int
        /// Rows still waiting after this step and the age of the oldest, in milliseconds.
        var pending: Int64
        var oldestAgeMillis: Int64
    }

    /// Moves up to `limit` committed outbox rows, oldest first, to the store and deletes them from the outbox.
    ///
    /// The store append ignores event ids it already holds, so a step interrupted after the store commit and
    /// before the delete (a crash) repeats harmlessly. Rows are deleted by id, never by range: a lower id of
    /// another topic may commit later and must not be deleted unrelayed.
    static func relay(bus: EventBus, outbox: Database, limit: Int) async throws -> Step {
        let rows = try await outbox.withSQL { sql in
            try await sql.raw("""
                SELECT id, topic, event_key, event_id, payload, headers, created_at FROM bus_outbox ORDER BY id LIMIT \(bind: limit)
                """).all(decoding: OutboxRow.self)
        }
        if !rows.isEmpty {
            try await bus.database.transaction { sql in
                if bus.database.engine == .postgres {
                    // Every topic lock of the batch first, in one order, so two relays never deadlock on each other.
                    for topic in Set(rows.map(\.topic)).sorted() {
                        try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: EventBus.lockSpace), \(bind: EventBus.lockKey(topic)))").run()
                    }
                }
                for row in rows { _ = try await bus.append(row, in: sql) }
            }
            try await outbox.withSQL { sql in
                var query = SQLQueryString("DELETE FROM bus_outbox WHERE id IN (")
                for (i, row) in rows.enumerated() { query = query + (i == 0 ? "" : ", ") + "\(bind: row.id)" }
                try await sql.raw(query + ")").run()
            }
        }
        let left = try await outbox.withSQL { sql in
            try await sql.raw("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM bus_outbox").first()
        }
        let pending = try left?.decode(column: "n", as: Int64.self) ?? 0
        let oldest = try left?.decode(column: "oldest", as: Int64?.self)
        return Step(relayed: rows.count, pending: pending, oldestAgeMillis: oldest.map { max(0, BusCoding.millis() - $0) } ?? 0)
    }
}
