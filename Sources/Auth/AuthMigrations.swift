import ServiceKit

/// The `auth` service's schema, oldest first. Never edit one that has shipped: add a new one.
/// Times are seconds since 1970 (BIGINT); lists (roles, scopes) are space-separated text.
enum AuthMigrations {
    static let all: [Migration] = [
        Migration(1, "users, sessions, keys, revocations", up: .init([
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                email TEXT UNIQUE,
                password_hash TEXT NOT NULL,
                roles TEXT NOT NULL,
                disabled BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            // One row per login: the refresh-token family. Revoking it ends every token of the session.
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users (id),
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT,
                revoked_reason TEXT
            )
            """,
            """
            CREATE TABLE refresh_tokens (
                token_hash TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id),
                issued_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            "CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id)",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users (id),
                name TEXT NOT NULL,
                secret_hash TEXT NOT NULL,
                scopes TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT,
                revoked_at BIGINT,
                last_used_at BIGINT
            )
            """,
            "CREATE INDEX api_keys_user ON api_keys (user_id)",
            """
            CREATE TABLE signing_keys (
                kid TEXT PRIMARY KEY,
                private_key_pem TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                retired_at BIGINT
            )
            """,
            // The revocation feed the gateway follows (`seq` is its cursor).
            """
            CREATE TABLE revocations (
                seq BIGINT PRIMARY KEY,
                kind TEXT NOT NULL,
                subject_id TEXT NOT NULL,
                until_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE login_failures (
                throttle_key TEXT PRIMARY KEY,
                failures BIGINT NOT NULL,
                last_failure_at BIGINT NOT NULL,
                blocked_until BIGINT NOT NULL
            )
            """,
        ]), down: .init([
            "DROP TABLE login_failures", "DROP TABLE revocations", "DROP TABLE signing_keys", "DROP TABLE api_keys",
            "DROP TABLE refresh_tokens", "DROP TABLE sessions", "DROP TABLE users",
        ])),
    ]
}
