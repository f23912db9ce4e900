import Foundation
import SQLKit

/// What `/api/status/bus` shows: every topic of the service's bus and every consumer group's position.
public struct BusStatus: Sendable, Codable, Equatable {
    public struct Topic: Sendable, Codable, Equatable {
        public let topic: String
        public let events: Int64
        public let lastSequence: Int64
        /// Events in `<topic>.dlq`.
        public let deadLetters: Int64

        enum CodingKeys: String, CodingKey {
            case topic, events
            case lastSequence = "last_sequence"
            case deadLetters = "dead_letters"
        }
    }

    public struct Group: Sendable, Codable, Equatable {
        public let group: String
        public let topic: String
        /// Every event up to this sequence is done for the group.
        public let offset: Int64
        /// Events after the offset the group has not finished.
        public let lag: Int64
        /// Events waiting for a retry after a failure.
        public let retrying: Int64

        enum CodingKeys: String, CodingKey {
            case group, topic, offset, lag, retrying
        }
    }

    public let topics: [Topic]
    public let groups: [Group]

    /// Reads the snapshot from the service's database.
    public static func build(_ database: Database) async throws -> BusStatus {
        try await database.withSQL { sql in
            let counts = try await sql.raw("SELECT topic, COUNT(*) AS events, MAX(seq) AS last_seq FROM bus_events GROUP BY topic ORDER BY topic")
                .all().map { row in
                    (try row.decode(column: "topic", as: String.self), try row.decode(column: "events", as: Int64.self),
                     try row.decode(column: "last_seq", as: Int64.self))
                }
            let byTopic = Dictionary(uniqueKeysWithValues: counts.map { ($0.0, $0.1) })
            let topics = counts.map { Topic(topic: $0.0, events: $0.1, lastSequence: $0.2, deadLetters: byTopic[$0.0 + ".dlq"] ?? 0) }
            var groups: [Group] = []
            for row in try await sql.raw("SELECT group_name, topic, last_seq FROM bus_offsets ORDER BY group_name, topic").all() {
                let (group, topic) = (try row.decode(column: "group_name", as: String.self), try row.decode(column: "topic", as: String.self))
                let offset = try row.decode(column: "last_seq", as: Int64.self)
                let open = try await sql.raw("""
                    SELECT COUNT(CASE WHEN a.seq IS NULL OR a.state = 'pending' THEN 1 END) AS lag,
                           COUNT(CASE WHEN a.state = 'pending' AND a.last_error IS NOT NULL THEN 1 END) AS retrying
                    FROM bus_events e LEFT JOIN bus_attempts a ON a.group_name = \(bind: group) AND a.seq = e.seq
                    WHERE e.topic = \(bind: topic) AND e.seq > \(bind: offset)
                    """).first()
                groups.append(Group(group: group, topic: topic, offset: offset,
                                    lag: try open?.decode(column: "lag", as: Int64.self) ?? 0,
                                    retrying: try open?.decode(column: "retrying", as: Int64.self) ?? 0))
            }
            return BusStatus(topics: topics, groups: groups)
        }
    }
}
