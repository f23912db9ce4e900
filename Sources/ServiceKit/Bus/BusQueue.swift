import Foundation
import SQLKit

/// The SQL of one consumer group on one topic: claiming events, acknowledging them, recording failures.
///
/// Claims of a group are serialised by a lock on its `bus_offsets` row, taken with `FOR UPDATE SKIP LOCKED`
/// on PostgreSQL: a consumer that finds another of its group claiming skips this round instead of queueing
/// behind it, and the claim it makes next sees the leases the other one wrote, so two consumers never take
/// the same event. (Locking event rows instead would not do: `bus_events` rows are shared by every group, and
/// the per-key order check reads other rows, which PostgreSQL does not re-check after waiting for a lock.)
/// SQLite serialises writers itself (`BEGIN IMMEDIATE`).
struct BusQueue: Sendable {
    let database: Database
    let topic: String
    let group: String

    struct Claim: Sendable {
        var deliveries: [BusDelivery]
        /// Events of the topic this group has not finished, as of this claim.
        var lag: Int64
    }

    private var lockClause: String { database.engine == .postgres ? "FOR UPDATE SKIP LOCKED" : "" }

    /// Creates the group's offset (at the beginning of the topic) if it has none.
    func ensureOffset() async throws {
        try await database.withSQL { sql in
            try await sql.raw("""
                INSERT INTO bus_offsets (group_name, topic, last_seq, updated_at) VALUES (\(bind: group), \(bind: topic), 0, \(bind: BusCoding.millis()))
                ON CONFLICT (group_name, topic) DO NOTHING
                """).run()
        }
    }

    /// Moves the offset past finished events, then leases up to `limit` deliverable events: not finished, not
    /// leased, not backing off, and first unfinished of their key. `nil` when another consumer is claiming.
    func claim(limit: Int, lease: Duration) async throws -> Claim? {
        let (group, topic, lockClause) = (self.group, self.topic, self.lockClause)
        return try await database.transaction { sql -> Claim? in
            guard let last = try await sql.raw("""
                SELECT last_seq FROM bus_offsets WHERE group_name = \(bind: group) AND topic = \(bind: topic) \(unsafeRaw: lockClause)
                """).first()?.decode(column: "last_seq", as: Int64.self) else { return nil }
            let now = BusCoding.millis()
            // One statement, so the smallest unfinished and the largest visible sequence come from one snapshot.
            let progress = try await sql.raw("""
                SELECT MIN(CASE WHEN a.seq IS NULL OR a.state = 'pending' THEN e.seq END) AS first_open,
                       MAX(e.seq) AS last_seen,
                       COUNT(CASE WHEN a.seq IS NULL OR a.state = 'pending' THEN 1 END) AS open_count
                FROM bus_events e LEFT JOIN bus_attempts a ON a.group_name = \(bind: group) AND a.seq = e.seq
                WHERE e.topic = \(bind: topic) AND e.seq > \(bind: last)
                """).first()
            let firstOpen = try progress?.decode(column: "first_open", as: Int64?.self)
            let lastSeen = try progress?.decode(column: "last_seen", as: Int64?.self)
            let lag = try progress?.decode(column: "open_count", as: Int64.self) ?? 0
            let newLast = firstOpen.map { $0 - 1 } ?? lastSeen ?? last
            if newLast > last {
                try await sql.raw("""
                    UPDATE bus_offsets SET last_seq = \(bind: newLast), updated_at = \(bind: now)
                    WHERE group_name = \(bind: group) AND topic = \(bind: topic)
                    """).run()
                try await sql.raw("""
                    DELETE FROM bus_attempts WHERE group_name = \(bind: group) AND topic = \(bind: topic) AND seq <= \(bind: newLast)
                    """).run()
            }
            guard limit > 0 else { return Claim(deliveries: [], lag: lag) }
            let rows = try await sql.raw("""
                SELECT e.seq, e.topic, e.event_key, e.event_id, e.payload, e.headers, e.created_at, COALESCE(a.attempts, 0) AS attempts
                FROM bus_events e LEFT JOIN bus_attempts a ON a.group_name = \(bind: group) AND a.seq = e.seq
                WHERE e.topic = \(bind: topic) AND e.seq > \(bind: newLast)
                  AND (a.seq IS NULL OR (a.state = 'pending' AND a.lease_until <= \(bind: now) AND a.next_attempt_at <= \(bind: now)))
                  AND NOT EXISTS (
                    SELECT 1 FROM bus_events p LEFT JOIN bus_attempts pa ON pa.group_name = \(bind: group) AND pa.seq = p.seq
                    WHERE p.topic = e.topic AND p.event_key = e.event_key AND p.seq > \(bind: newLast) AND p.seq < e.seq
                      AND (pa.seq IS NULL OR pa.state = 'pending'))
                ORDER BY e.seq LIMIT \(bind: limit)
                """).all(decoding: BusEventRow.self)
            let leaseUntil = now + Int64(lease.inSeconds * 1000)
            var deliveries: [BusDelivery] = []
            for row in rows {
                try await sql.raw("""
                    INSERT INTO bus_attempts (group_name, topic, seq, attempts, state, next_attempt_at, lease_until, last_error)
                    VALUES (\(bind: group), \(bind: topic), \(bind: row.seq), 1, 'pending', 0, \(bind: leaseUntil), NULL)
                    ON CONFLICT (group_name, seq) DO UPDATE SET attempts = bus_attempts.attempts + 1, lease_until = excluded.lease_until
                    """).run()
                deliveries.append(BusDelivery(event: try row.event(), group: group, attempt: Int(row.attempts) + 1, leaseUntil: leaseUntil))
            }
            return Claim(deliveries: deliveries, lag: lag)
        }
    }

    /// Marks a delivered event done; the next claim moves the offset past it. Only while the delivery's claim is the
    /// event's current one: after a replay (or an expired lease) the event was claimed again, and that claim must
    /// be delivered, not marked done by the earlier handler.
    func acknowledge(_ delivery: BusDelivery) async throws {
        try await database.withSQL { sql in
            try await sql.raw("""
                UPDATE bus_attempts SET state = 'done', lease_until = 0, last_error = NULL
                WHERE group_name = \(bind: self.group) AND seq = \(bind: delivery.event.sequence)
                  AND lease_until = \(bind: delivery.leaseUntil)
                """).run()
        }
    }

    /// Schedules a retry after `backoff`, or, when `deadLetter` is set, marks the event dead and republishes it on
    /// `<topic>.dlq` in the same transaction.
    func fail(_ delivery: BusDelivery, error: String, backoff: Duration, deadLetter: Bool, bus: EventBus) async throws {
        let (group, seq, event) = (self.group, delivery.event.sequence, delivery.event)
        let error = String(error.prefix(2000))
        try await database.transaction { sql in
            let retryAt = BusCoding.millis() + Int64(backoff.inSeconds * 1000)
            // As for acknowledgements: a failure of an earlier claim does not touch the current one.
            let updated = try await sql.raw("""
                UPDATE bus_attempts SET state = \(bind: deadLetter ? "dead" : "pending"), next_attempt_at = \(bind: retryAt),
                       lease_until = 0, last_error = \(bind: error)
                WHERE group_name = \(bind: group) AND seq = \(bind: seq) AND lease_until = \(bind: delivery.leaseUntil)
                RETURNING seq
                """).first()
            guard deadLetter, updated != nil else { return }
            let headers = event.headers.merging([
                "bus-original-topic": event.topic, "bus-original-sequence": String(event.sequence),
                "bus-original-event-id": event.id, "bus-group": group, "bus-attempts": String(delivery.attempt), "bus-error": error,
            ]) { _, new in new }
            // The id names the group, so two groups dead-lettering the same event make two dead letters.
            // Straight into the log (this is a store transaction), never through the outbox.
            let headerText = String(decoding: try BusCoding.encoder.encode(headers), as: UTF8.self)
            _ = try await bus.append(OutboxRow(topic: event.topic + ".dlq", key: event.key, eventID: "\(group):\(event.id)",
                                               payload: event.payload, headers: headerText, createdAt: BusCoding.millis()), in: sql)
        }
    }
}
