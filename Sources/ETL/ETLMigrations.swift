import ServiceKit

/// The `etl` service's schema, oldest first, followed by its side of the shared event bus (``BusMigrations/local``:
/// the outbox its publishes go to, relayed to the bus store). Never edit one that has shipped: add a new one.
/// Times are Unix milliseconds (`BIGINT`) so comparisons are the same SQL on both engines.
enum ETLMigrations {
    static let all: [Migration] = own + BusMigrations.local

    static let own: [Migration] = [
        Migration(1, "create jobs, items and raw payloads", up: .init([
            """
            CREATE TABLE etl_jobs (
                id TEXT PRIMARY KEY, source TEXT NOT NULL, state TEXT NOT NULL, request TEXT NOT NULL, run BIGINT NOT NULL,
                created_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX etl_jobs_created ON etl_jobs (created_at)",
            """
            CREATE TABLE etl_items (
                job_id TEXT NOT NULL REFERENCES etl_jobs (id), symbol TEXT NOT NULL, position BIGINT NOT NULL, state TEXT NOT NULL,
                attempts BIGINT NOT NULL, next_attempt_at BIGINT NOT NULL, lease_until BIGINT NOT NULL, claim TEXT,
                rows_read BIGINT NOT NULL, bars BIGINT NOT NULL, events BIGINT NOT NULL, error TEXT, issues TEXT, quality TEXT,
                PRIMARY KEY (job_id, symbol))
            """,
            "CREATE INDEX etl_items_due ON etl_items (state, next_attempt_at)",
            """
            CREATE TABLE etl_raw (
                job_id TEXT NOT NULL REFERENCES etl_jobs (id), symbol TEXT NOT NULL, sequence BIGINT NOT NULL, path TEXT NOT NULL,
                sha256 TEXT NOT NULL, bytes BIGINT NOT NULL, fetched_at BIGINT NOT NULL,
                PRIMARY KEY (job_id, symbol, sequence))
            """,
        ]), down: .init(["DROP TABLE etl_raw", "DROP TABLE etl_items", "DROP TABLE etl_jobs"])),
    ]
}
