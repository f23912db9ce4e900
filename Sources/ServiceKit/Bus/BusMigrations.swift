/// The event bus's tables.
///
/// Two layouts exist. The platform's layout splits them: ``store`` is the shared bus store (`bus.url`) that every
/// process migrates at start, and ``local`` is appended to each publishing or consuming service's own migrations
/// (`migrations: Self.own + BusMigrations.local`) for its outbox and its processed-event marks. ``all`` keeps the
/// whole bus inside one database (a single-process bus, as ``EventBus/init(database:registry:)`` uses).
///
/// Versions start at 1000 so they never collide with a service's own. Times are Unix milliseconds (`BIGINT`)
/// on both engines so that comparisons and arithmetic are the same SQL everywhere.
public enum BusMigrations {
    /// The whole bus in one database.
    public static let all: [Migration] = [events, offsets, processed]
    /// The shared bus store: the log, offsets and attempts of every consumer group.
    public static let store: [Migration] = [events, offsets]
    /// A service's side of the shared bus, in its own database: processed-event marks and the outbox.
    public static let local: [Migration] = [processed, outbox]

    /// The log itself: `seq` is the global order; `event_id` is unique per topic so a publisher can retry safely.
    static let events = Migration(
        1000, "bus: events",
        up: .init(
            sqlite: [
                """
                CREATE TABLE bus_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, event_key TEXT, event_id TEXT NOT NULL,
                    payload BLOB NOT NULL, headers TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (topic, event_id))
                """,
                "CREATE INDEX bus_events_topic_seq ON bus_events (topic, seq)",
                "CREATE INDEX bus_events_topic_key_seq ON bus_events (topic, event_key, seq)",
            ],
            postgres: [
                """
                CREATE TABLE bus_events (
                    seq BIGSERIAL PRIMARY KEY, topic TEXT NOT NULL, event_key TEXT, event_id TEXT NOT NULL,
                    payload BYTEA NOT NULL, headers TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (topic, event_id))
                """,
                "CREATE INDEX bus_events_topic_seq ON bus_events (topic, seq)",
                "CREATE INDEX bus_events_topic_key_seq ON bus_events (topic, event_key, seq)",
            ]),
        down: .init(["DROP TABLE bus_events"]))

    /// Per consumer group: how far it has consumed a topic (every event up to `last_seq` is done) and, above
    /// that, the state of each event it has touched (leased, backing off, done or dead-lettered).
    static let offsets = Migration(
        1001, "bus: offsets and attempts",
        up: .init([
            """
            CREATE TABLE bus_offsets (
                group_name TEXT NOT NULL, topic TEXT NOT NULL, last_seq BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (group_name, topic))
            """,
            """
            CREATE TABLE bus_attempts (
                group_name TEXT NOT NULL, topic TEXT NOT NULL, seq BIGINT NOT NULL, attempts BIGINT NOT NULL,
                state TEXT NOT NULL, next_attempt_at BIGINT NOT NULL, lease_until BIGINT NOT NULL, last_error TEXT,
                PRIMARY KEY (group_name, seq))
            """,
            "CREATE INDEX bus_attempts_group_topic_seq ON bus_attempts (group_name, topic, seq)",
        ]),
        down: .init(["DROP TABLE bus_attempts", "DROP TABLE bus_offsets"]))

    /// Idempotent consumers: one row per (group, event) handled, written in the handler's own transaction.
    static let processed = Migration(
        1002, "bus: processed events",
        up: .init([
            """
            CREATE TABLE bus_processed (
                group_name TEXT NOT NULL, event_id TEXT NOT NULL, processed_at BIGINT NOT NULL,
                PRIMARY KEY (group_name, event_id))
            """,
        ]),
        down: .init(["DROP TABLE bus_processed"]))

    /// Events committed by the service's own transactions and not yet relayed to the shared store. `id` is the
    /// relay order; (topic, event_id) is unique so that a publisher retrying with the same id enqueues once.
    static let outbox = Migration(
        1003, "bus: outbox",
        up: .init(
            sqlite: [
                """
                CREATE TABLE bus_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, event_key TEXT, event_id TEXT NOT NULL,
                    payload BLOB NOT NULL, headers TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (topic, event_id))
                """,
            ],
            postgres: [
                """
                CREATE TABLE bus_outbox (
                    id BIGSERIAL PRIMARY KEY, topic TEXT NOT NULL, event_key TEXT, event_id TEXT NOT NULL,
                    payload BYTEA NOT NULL, headers TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (topic, event_id))
                """,
            ]),
        down: .init(["DROP TABLE bus_outbox"]))
}
