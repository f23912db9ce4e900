import Foundation
import Logging
import Prometheus
import SQLKit

/// The durable event bus: topics, consumer groups and a transactional outbox.
///
/// **Where events live.** ``database`` is the bus store, the database holding the log (`bus_events`), the
/// offsets and the attempts of every consumer group. On the platform it is shared by every process (`bus.url`:
/// a WAL-mode SQLite file `<data.dir>/bus.sqlite`, or schema `bourse_bus` on the PostgreSQL server), opened
/// with ``open(configuration:database:registry:logger:)``. A publisher's own database cannot take part in a
/// transaction of the store, so publishing goes through an outbox: ``publish(topic:key:payload:headers:eventID:in:)``
/// appends the event to `bus_outbox` in the publisher's own database inside the caller's transaction (the event
/// exists if and only if the state change commits), and the ``relay`` service of the publishing process moves
/// committed outbox rows to the store, idempotently by event id and in outbox order. A crash between the commit
/// and the relay only delays delivery. Made with ``init(database:registry:)``, the bus keeps everything in that
/// one database and publishes straight into the log (no outbox, no relay).
///
/// **Order.** On PostgreSQL each append to the log (and each outbox insert) takes a transaction-scoped
/// advisory lock per topic before it draws its sequence number, so within a topic sequence order is commit
/// order: a consumer that sees event n has already seen every earlier one and can move its offset without
/// skipping a late commit. SQLite writers are serialised by the database itself.
///
/// **Wake-ups.** Consumers of the publishing process wake at once; other processes' consumers are woken by
/// `LISTEN/NOTIFY` on PostgreSQL (``BusListener``) and find events by polling on SQLite
/// (``BusSubscription/pollInterval``).
///
/// ```swift
/// let bus = try await EventBus.open(configuration: environment.configuration, database: database, registry: registry)
/// try await database.transaction { sql in
///     try await sql.raw("INSERT INTO bars …").run()
///     try await bus.publish(topic: "data.bars.stored", key: symbol, json: stored, in: sql)
/// }
/// // background services: bus.relay, and consumers
/// let consumer = bus.subscribe(topic: "data.bars.stored", group: "strategy") { delivery in … }
/// ```
public struct EventBus: Sendable {
    /// The bus store: the log, offsets and attempts.
    public let database: Database
    /// The publisher's own database holding `bus_outbox`; `nil` when publishes go straight into ``database``.
    public let outbox: Database?
    let metrics: BusMetrics
    /// Consumers of this process, woken when an event reaches the store.
    let wakeups = BusWakeups()
    /// The relay of this process, woken when an event enters the outbox.
    let relayWakeups = BusWakeups()
    let logger: Logger
    /// Set by ``open(configuration:database:registry:logger:)`` on PostgreSQL.
    var listenURLs = ListenURLs()

    /// A bus kept entirely in `database` (migrated with ``BusMigrations/all``): publishes append to the log directly.
    /// - Parameter registry: the service's Prometheus registry (`environment.metrics.registry`).
    public init(database: Database, registry: PrometheusCollectorRegistry) {
        self.database = database
        self.outbox = nil
        self.metrics = BusMetrics(registry: registry)
        self.logger = Logger(label: "bus")
    }

    /// A bus on a shared `store` (migrated with ``BusMigrations/store``) that publishes through the outbox of
    /// `outbox`, the service's own database (migrated with ``BusMigrations/local``). Run ``relay`` as a service.
    public init(store: Database, outbox: Database, registry: PrometheusCollectorRegistry, logger: Logger = Logger(label: "bus")) {
        self.database = store
        self.outbox = outbox
        self.metrics = BusMetrics(registry: registry)
        self.logger = logger
    }

    /// Publishes one event in a transaction of its own (through the outbox when the bus has one).
    @discardableResult
    public func publish(topic: String, key: String? = nil, payload: Data, headers: [String: String] = [:],
                        eventID: String = UUID().uuidString) async throws -> BusReceipt {
        try await (outbox ?? database).transaction { sql in
            try await self.publish(topic: topic, key: key, payload: payload, headers: headers, eventID: eventID, in: sql)
        }
    }

    /// Publishes one event inside an open `Database.transaction` of the publisher's own database (or of the bus
    /// store for a single-database bus): it commits, or vanishes, with the caller's writes. Through an outbox
    /// the receipt has no sequence yet; the relay gives the event one when it reaches the store.
    @discardableResult
    public func publish(topic: String, key: String? = nil, payload: Data, headers: [String: String] = [:],
                        eventID: String = UUID().uuidString, in sql: any SQLDatabase) async throws -> BusReceipt {
        precondition(!topic.isEmpty, "a bus topic needs a name")
        let headerText = String(decoding: try BusCoding.encoder.encode(headers), as: UTF8.self)
        guard let outbox else {
            return try await append(OutboxRow(topic: topic, key: key, eventID: eventID, payload: payload, headers: headerText,
                                              createdAt: BusCoding.millis()), in: sql)
        }
        try await BusOutbox.enqueue(topic: topic, key: key, eventID: eventID, payload: payload, headers: headerText,
                                    engine: outbox.engine, in: sql)
        // The relay may look before the caller commits; then it finds the row at its next poll (or NOTIFY).
        relayWakeups.signal()
        return BusReceipt(eventID: eventID, sequence: nil)
    }

    /// Appends an event to the log of the bus store inside the store transaction `sql`.
    func append(_ row: OutboxRow, in sql: any SQLDatabase) async throws -> BusReceipt {
        if database.engine == .postgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: Self.lockSpace), \(bind: Self.lockKey(row.topic)))").run()
        }
        let inserted = try await sql.raw("""
            INSERT INTO bus_events (topic, event_key, event_id, payload, headers, created_at)
            VALUES (\(bind: row.topic), \(bind: row.key), \(bind: row.eventID), \(bind: row.payload), \(bind: row.headers), \(bind: row.createdAt))
            ON CONFLICT (topic, event_id) DO NOTHING RETURNING seq
            """).first()
        if database.engine == .postgres {
            // Delivered at commit only, so other processes' consumers never wake for a rolled-back event.
            try await sql.raw("SELECT pg_notify(\(bind: BusListener.channel), \(bind: row.topic))").run()
        }
        // Same-process consumers wake at once; a rolled-back publish only costs them one empty poll.
        wakeups.signal()
        return BusReceipt(eventID: row.eventID, sequence: try inserted?.decode(column: "seq", as: Int64.self))
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

    /// The namespace of the bus's advisory locks on the log (two-key form, so it never meets the migrator's one-key lock).
    static let lockSpace: Int32 = 0x0B05
    /// The namespace of the outbox's per-topic locks: apart from the log's, so a publisher's open transaction
    /// never makes a relay of the same topic wait.
    static let outboxLockSpace: Int32 = 0x0B06

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
