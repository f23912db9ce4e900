import ServiceKit

/// The `strategy` service's schema, oldest first, followed by its side of the event bus. Never edit one that has
/// shipped: add a new one. Times are Unix milliseconds (`BIGINT`); definitions, requests and results are JSON text
/// (results are written once, when a run finishes, and read whole).
enum StrategyMigrations {
    static let all: [Migration] = own + BusMigrations.local

    static let own: [Migration] = [
        Migration(1, "create strategies", up: .init([
            """
            CREATE TABLE strategies (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, definition TEXT NOT NULL,
                live BIGINT NOT NULL, live_since TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX strategies_owner ON strategies (owner, created_at)",
            "CREATE INDEX strategies_live ON strategies (live)",
        ]), down: .init(["DROP TABLE strategies"])),
        // One table for backtests and optimizations (`kind`): both are persisted jobs claimed with a lease, so a run
        // a dead process held is resumed by the next worker.
        Migration(2, "create runs", up: .init([
            """
            CREATE TABLE strategy_runs (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL, strategy_id TEXT, request TEXT NOT NULL,
                definition_hash TEXT NOT NULL, data_hash TEXT, state TEXT NOT NULL, progress DOUBLE PRECISION NOT NULL,
                attempts BIGINT NOT NULL, lease_until BIGINT NOT NULL, claim TEXT, error TEXT, statistics TEXT,
                created_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT)
            """,
            "CREATE INDEX strategy_runs_owner ON strategy_runs (owner, kind, created_at)",
            "CREATE INDEX strategy_runs_due ON strategy_runs (state, created_at)",
            """
            CREATE TABLE strategy_results (
                run_id TEXT NOT NULL REFERENCES strategy_runs (id) ON DELETE CASCADE, part TEXT NOT NULL, body TEXT NOT NULL,
                PRIMARY KEY (run_id, part))
            """,
        ]), down: .init(["DROP TABLE strategy_results", "DROP TABLE strategy_runs"])),
        // A signal is stored once per strategy, symbol and bar (the primary key): a redelivered bar event finds it
        // and publishes nothing. The paper account is the live strategy's state after its latest bar.
        Migration(3, "create signals and paper accounts", up: .init([
            """
            CREATE TABLE strategy_signals (
                strategy_id TEXT NOT NULL REFERENCES strategies (id) ON DELETE CASCADE, symbol TEXT NOT NULL, bar_date TEXT NOT NULL,
                action TEXT NOT NULL, quantity DOUBLE PRECISION NOT NULL, price DOUBLE PRECISION NOT NULL, created_at BIGINT NOT NULL,
                PRIMARY KEY (strategy_id, symbol, bar_date))
            """,
            """
            CREATE TABLE paper_accounts (
                strategy_id TEXT PRIMARY KEY REFERENCES strategies (id) ON DELETE CASCADE, as_of TEXT, state TEXT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
        ]), down: .init(["DROP TABLE paper_accounts", "DROP TABLE strategy_signals"])),
    ]
}
