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
    ]
}
