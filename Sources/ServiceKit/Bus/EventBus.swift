import Foundation
import Logging
import Prometheus
import SQLKit

/// The durable event bus of one service, stored in that service's own database (``BusMigrations/all``).
///
/// Publishing appends to `bus_events`; ``publish(topic:key:payload:headers:eventID:in:)`` does so inside the
/// caller's transaction (a transactional outbox: the event exists if and only if the state change commits).
/// Consumers are services made by ``subscribe(topic:group:options:logger:handler:)``.
///
/// On PostgreSQL each publish takes a transaction-scoped advisory lock per topic before it draws its
/// sequence number, so within a topic sequence order is commit order: a consumer that sees event n has
/// already seen every earlier one and can move its offset without skipping a late commit. SQLite writers
/// are serialised by the database itself.
///
/// Consumers find other processes' events by polling. `LISTEN/NOTIFY` is not used: `Database` hands out
/// postgres-kit sessions that expose neither their `PostgresConnection` (which `listen(_:)` needs) nor the
/// pool, and a `LISTEN` statement alone registers a channel whose notifications SQLKit has no way to receive.
/// Publishes from this process wake its consumers at once.
///
/// ```swift
/// let bus = EventBus(database: database, registry: environment.metrics.registry)
/// try await database.transaction { sql in
///     try await sql.raw("INSERT INTO bars …").run()
///     try await bus.publish(topic: "data.bars.stored", key: symbol, json: stored, in: sql)
/// }
/// let consumer = bus.subscribe(topic: "data.bars.stored", group: "strategy") { delivery in … }  // a background service
/// ```
public struct EventBus: Sendable {
    public let database: Database
    let metrics: BusMetrics
    let wakeups = BusWakeups()

    /// - Parameter registry: the service's Prometheus registry (`environment.metrics.registry`).
    public init(database: Database, registry: PrometheusCollectorRegistry) {
        self.database = database
        self.metrics = BusMetrics(registry: registry)
    }

    /// Publishes one event in a transaction of its own.
    @discardableResult
    public func publish(topic: String, key: String? = nil, payload: Data, headers: [String: String] = [:],
                        eventID: String = UUID().uuidString) async throws -> BusReceipt {
        try await database.transaction { sql in
            try await self.publish(topic: topic, key: key, payload: payload, headers: headers, eventID: eventID, in: sql)
        }
    }

    /// Publishes one event inside an open `Database.transaction`: it commits, or vanishes, with the caller's writes.
    @discardableResult
    public func publish(topic: String, key: String? = nil, payload: Data, headers: [String: String] = [:],
                        eventID: String = UUID().uuidString, in sql: any SQLDatabase) async throws -> BusReceipt {
        precondition(!topic.isEmpty, "a bus topic needs a name")
        if database.engine == .postgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: Self.lockSpace), \(bind: Self.lockKey(topic)))").run()
        }
        let headerText = String(decoding: try BusCoding.encoder.encode(headers), as: UTF8.self)
        let row = try await sql.raw("""
            INSERT INTO bus_events (topic, event_key, event_id, payload, headers, created_at)
            VALUES (\(bind: topic), \(bind: key), \(bind: eventID), \(bind: payload), \(bind: headerText), \(bind: BusCoding.millis()))
            ON CONFLICT (topic, event_id) DO NOTHING RETURNING seq
            """).first()
        // Same-process consumers wake at once; a rolled-back outbox only costs them one empty poll.
        wakeups.signal()
        return BusReceipt(eventID: eventID, sequence: try row?.decode(column: "seq", as: Int64.self))
    }

    /// Publishes a value encoded as JSON (header `content-type: application/json`).
    @discardableResult
    public func publish(topic: String, key: String? = nil, json value: some Encodable, headers: [String: String] = [:],
                        eventID: String = UUID().uuidString, in sql: (any SQLDatabase)? = nil) async throws -> BusReceipt {
        let payload = try BusCoding.encoder.encode(value)
        let headers = headers.merging(["content-type": "application/json"]) { mine, _ in mine }
        if let sql {
            return try await publish(topic: topic, key: key, payload: payload, headers: headers, eventID: eventID, in: sql)
        }
        return try await publish(topic: topic, key: key, payload: payload, headers: headers, eventID: eventID)
    }

    /// Events of `topic` after sequence `after`, oldest first (for tools, tests and dead-letter inspection).
    public func events(topic: String, after: Int64 = 0, limit: Int = 100) async throws -> [BusEvent] {
        try await database.withSQL { sql in
            try await sql.raw("""
                SELECT seq, topic, event_key, event_id, payload, headers, created_at, CAST(0 AS BIGINT) AS attempts FROM bus_events
                WHERE topic = \(bind: topic) AND seq > \(bind: after) ORDER BY seq LIMIT \(bind: limit)
                """).all(decoding: BusEventRow.self).map { try $0.event() }
        }
    }

    /// Whether `group` has already handled `eventID`; marks it handled otherwise. Call it in the transaction that
    /// holds the handler's writes: a rollback removes the mark with them, so the retry runs the handler again.
    public static func alreadyProcessed(eventID: String, group: String, in sql: any SQLDatabase) async throws -> Bool {
        let inserted = try await sql.raw("""
            INSERT INTO bus_processed (group_name, event_id, processed_at) VALUES (\(bind: group), \(bind: eventID), \(bind: BusCoding.millis()))
            ON CONFLICT (group_name, event_id) DO NOTHING RETURNING event_id
            """).first()
        return inserted == nil
    }

    /// The namespace of the bus's advisory locks (two-key form, so it never meets the migrator's one-key lock).
    static let lockSpace: Int32 = 0x0B05

    /// FNV-1a of the topic: a stable 32-bit lock key (Swift's `hashValue` changes between processes).
    static func lockKey(_ topic: String) -> Int32 {
        var hash: UInt32 = 2_166_136_261
        for byte in topic.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int32(bitPattern: hash)
    }
}

/// A row of `bus_events` (plus the group's attempt count when read for delivery).
struct BusEventRow: Decodable {
    let seq: Int64
    let topic: String
    let event_key: String?
    let event_id: String
    let payload: Data
    let headers: String
    let created_at: Int64
    let attempts: Int64

    func event() throws -> BusEvent {
        BusEvent(sequence: seq, topic: topic, key: event_key, id: event_id, payload: payload,
                 headers: try BusCoding.decoder.decode([String: String].self, from: Data(headers.utf8)),
                 createdAt: Date(timeIntervalSince1970: Double(created_at) / 1000))
    }
}
