import ServiceKit

/// The `notifications` service's schema, oldest first, then its side of the bus. Never edit one that has shipped.
enum NotificationsMigrations {
    static let all: [Migration] = own + BusMigrations.local

    static let own: [Migration] = [
        // An alert's evaluation state (`state`, Quant's `AlertState` as JSON) is written in the same transaction as
        // the inbox rows and events of its triggers, so a redelivered bar event finds the bars already evaluated.
        Migration(1, "create alerts and the inbox", up: .init([
            """
            CREATE TABLE alerts (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, symbol TEXT NOT NULL, source TEXT NOT NULL,
                rule TEXT NOT NULL, state TEXT NOT NULL, active BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX alerts_owner ON alerts (owner, created_at)",
            "CREATE INDEX alerts_symbol ON alerts (symbol, active)",
            """
            CREATE TABLE inbox (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, alert_id TEXT, kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
                dedupe TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, read_at BIGINT)
            """,
            "CREATE INDEX inbox_owner ON inbox (owner, created_at)",
        ]), down: .init(["DROP TABLE inbox", "DROP TABLE alerts"])),
    ]
}
