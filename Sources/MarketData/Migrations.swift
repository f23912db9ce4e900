import ServiceKit

/// The `data` service's schema, oldest first. Never edit one that has shipped: add a new one.
enum MarketDataMigrations {
    static let all: [Migration] = [
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
    ]
}
