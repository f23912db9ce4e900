import ServiceKit

/// The `data` service's schema, oldest first. Never edit one that has shipped: add a new one.
enum MarketDataMigrations {
    /// The service's own migrations followed by its side of the event bus (outbox, processed marks).
    static let all: [Migration] = own + BusMigrations.local

    static let own: [Migration] = [
        Migration(1, "create instruments", up: .init([
            """
            CREATE TABLE instruments (
                symbol TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                exchange TEXT,
                currency TEXT NOT NULL,
                type TEXT NOT NULL,
                sector TEXT,
                industry TEXT,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX instruments_type_exchange ON instruments (type, exchange)",
        ]), down: .init(["DROP TABLE instruments"])),
        Migration(2, "create bars", up: .init(sqlite: [
            """
            CREATE TABLE bars (
                symbol TEXT NOT NULL,
                date TEXT NOT NULL,
                open REAL NOT NULL,
                high REAL NOT NULL,
                low REAL NOT NULL,
                close REAL NOT NULL,
                adj_close REAL NOT NULL,
                volume REAL NOT NULL,
                PRIMARY KEY (symbol, date)
            ) WITHOUT ROWID
            """,
        ], postgres: [
            """
            CREATE TABLE bars (
                symbol TEXT NOT NULL,
                date TEXT NOT NULL,
                open DOUBLE PRECISION NOT NULL,
                high DOUBLE PRECISION NOT NULL,
                low DOUBLE PRECISION NOT NULL,
                close DOUBLE PRECISION NOT NULL,
                adj_close DOUBLE PRECISION NOT NULL,
                volume DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (symbol, date)
            )
            """,
        ]), down: .init(["DROP TABLE bars"])),
        Migration(3, "create series quality", up: .init([
            """
            CREATE TABLE series_quality (
                symbol TEXT PRIMARY KEY, source TEXT NOT NULL, job_id TEXT NOT NULL, quality_score DOUBLE PRECISION NOT NULL,
                updated_at TEXT NOT NULL)
            """,
        ]), down: .init(["DROP TABLE series_quality"])),
        // One row per line item of a statement: statements differ by provider and industry, so items are data.
        Migration(4, "create fundamentals", up: .init([
            """
            CREATE TABLE fundamentals (
                symbol TEXT NOT NULL, statement TEXT NOT NULL, period TEXT NOT NULL, period_end TEXT NOT NULL,
                currency TEXT NOT NULL, item TEXT NOT NULL, value DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (symbol, statement, period, period_end, item))
            """,
        ]), down: .init(["DROP TABLE fundamentals"])),
        // A split's value is its ratio (new shares per old share, 2 for 2-for-1); a dividend's the cash per share.
        Migration(5, "create corporate actions", up: .init([
            """
            CREATE TABLE corporate_actions (
                symbol TEXT NOT NULL, date TEXT NOT NULL, kind TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, currency TEXT,
                PRIMARY KEY (symbol, date, kind))
            """,
        ]), down: .init(["DROP TABLE corporate_actions"])),
        // Bumped in the transaction of every bar write: the read path's response cache compares it (one indexed
        // read) instead of re-reading and re-encoding thousands of bars, correctly across replicas.
        Migration(6, "create bar versions", up: .init([
            "CREATE TABLE bar_versions (symbol TEXT PRIMARY KEY, version BIGINT NOT NULL)",
            "INSERT INTO bar_versions (symbol, version) SELECT DISTINCT symbol, 1 FROM bars",
        ]), down: .init(["DROP TABLE bar_versions"])),
        // The bar key's text columns compare bytewise on PostgreSQL too, as SQLite's BINARY collation always did:
        // symbols are ASCII tickers and dates ISO 8601, so the order is the same, and the primary key's B-tree no
        // longer goes through the database locale's strcoll on every comparison (a bulk insert makes millions).
        Migration(7, "bar keys compare bytewise", up: .init(sqlite: [], postgres: [
            #"ALTER TABLE bars ALTER COLUMN symbol TYPE TEXT COLLATE "C", ALTER COLUMN date TYPE TEXT COLLATE "C""#,
        ]), down: .init(sqlite: [], postgres: [
            #"ALTER TABLE bars ALTER COLUMN symbol TYPE TEXT COLLATE "default", ALTER COLUMN date TYPE TEXT COLLATE "default""#,
        ])),
        // The issuer's country (ISO 3166-1 alpha-2), optional: portfolio allocation groups by it.
        Migration(8, "instrument country", up: .init(["ALTER TABLE instruments ADD COLUMN country TEXT"]),
                  down: .init(["ALTER TABLE instruments DROP COLUMN country"])),
    ]
}
