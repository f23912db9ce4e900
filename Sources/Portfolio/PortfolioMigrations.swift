import ServiceKit

/// The `portfolio` service's schema, oldest first. Never edit one that has shipped: add a new one.
///
/// Money and quantities are `TEXT` holding the exact decimal (`Decimal.description`), never a floating-point
/// column. Settings (saved CSV mapping, target weights, X-ray rules) are JSON text on the portfolio row.
enum PortfolioMigrations {
    /// The service's own migrations followed by its side of the event bus (outbox, processed marks).
    static let all: [Migration] = own + BusMigrations.local

    static let own: [Migration] = [
        Migration(1, "create portfolios", up: .init([
            """
            CREATE TABLE portfolios (
                id TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                name TEXT NOT NULL,
                base_currency TEXT NOT NULL,
                mapping TEXT,
                targets TEXT,
                xray_settings TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX portfolios_owner ON portfolios (owner, created_at)",
        ]), down: .init(["DROP TABLE portfolios"])),
        // `seq` keeps the order of rows of one day as recorded; `fingerprint` is set on imported rows only, and
        // the unique index makes a re-import store nothing twice (NULLs are distinct on both engines).
        Migration(2, "create transactions", up: .init([
            """
            CREATE TABLE transactions (
                id TEXT PRIMARY KEY,
                portfolio_id TEXT NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
                seq BIGINT NOT NULL,
                date TEXT NOT NULL,
                type TEXT NOT NULL,
                symbol TEXT NOT NULL,
                quantity TEXT NOT NULL,
                price TEXT NOT NULL,
                fee TEXT NOT NULL,
                amount TEXT,
                currency TEXT NOT NULL,
                note TEXT NOT NULL,
                fingerprint TEXT,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX transactions_portfolio_date ON transactions (portfolio_id, date, seq)",
            "CREATE UNIQUE INDEX transactions_fingerprint ON transactions (portfolio_id, fingerprint)",
        ]), down: .init(["DROP TABLE transactions"])),
    ]
}
