import Foundation
import SQLKit

extension EventBus {
    /// Resets `group`'s offset on `topic` so that consumption resumes at `position` (a running consumer of the
    /// group picks it up at its next claim); returns the new offset. Retry and dead-letter state of the group on
    /// the topic is cleared, so replayed events get fresh attempts. Events in flight at that moment may be
    /// delivered twice, which at-least-once consumers handle anyway.
    @discardableResult
    public func replay(group: String, topic: String, from position: BusPosition) async throws -> Int64 {
        let lock = database.engine == .postgres ? "FOR UPDATE" : ""
        return try await database.transaction { sql in
            let now = BusCoding.millis()
            try await sql.raw("""
                INSERT INTO bus_offsets (group_name, topic, last_seq, updated_at) VALUES (\(bind: group), \(bind: topic), 0, \(bind: now))
                ON CONFLICT (group_name, topic) DO NOTHING
                """).run()
            // Waits for a claim in progress, so it cannot write leases against the old offset afterwards.
            try await sql.raw("SELECT last_seq FROM bus_offsets WHERE group_name = \(bind: group) AND topic = \(bind: topic) \(unsafeRaw: lock)").run()
            let target: Int64
            switch position {
            case .beginning:
                target = 0
            case .offset(let sequence):
                target = max(sequence, 0)
            case .time(let date):
                let row = try await sql.raw("""
                    SELECT MIN(seq) AS first_seq FROM bus_events WHERE topic = \(bind: topic) AND created_at >= \(bind: BusCoding.millis(date))
                    """).first()
                if let first = try row?.decode(column: "first_seq", as: Int64?.self) {
                    target = first - 1
                } else {
                    target = try await self.lastSequence(topic: topic, sql)
                }
            case .end:
                target = try await self.lastSequence(topic: topic, sql)
            }
            try await sql.raw("""
                UPDATE bus_offsets SET last_seq = \(bind: target), updated_at = \(bind: now) WHERE group_name = \(bind: group) AND topic = \(bind: topic)
                """).run()
            try await sql.raw("DELETE FROM bus_attempts WHERE group_name = \(bind: group) AND topic = \(bind: topic)").run()
            return target
        }
    }

    func lastSequence(topic: String, _ sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw("SELECT MAX(seq) AS last_seq FROM bus_events WHERE topic = \(bind: topic)").first()?
            .decode(column: "last_seq", as: Int64?.self) ?? 0
    }
}
