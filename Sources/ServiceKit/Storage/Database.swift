@preconcurrency import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
@preconcurrency import PostgresKit
import SQLKit
import SQLiteKit

/// The one SQL layer of Bourse: SQLKit over an embedded SQLite file or a PostgreSQL pool.
///
/// Repositories write SQL once with bound parameters (`db.raw("… WHERE id = \(bind: id)")`) and run it
/// through ``withSQL(_:)`` or, when several statements must commit together, ``transaction(_:)``.
/// On PostgreSQL each service lives in its own schema (named after the service), so one database can hold
/// every service without any reading another's tables.
public final class Database: Sendable {
    public enum Engine: String, Sendable, Codable {
        case sqlite
        case postgres
    }

    /// Internal so that the bulk path (`Database+Bulk.swift`) can reach the driver connections.
    enum Backend: Sendable {
        case sqlite(SQLiteConnection, AsyncMutex, NIOThreadPool)
        case postgres(EventLoopGroupConnectionPool<PostgresConnectionSource>)
    }

    public let engine: Engine
    /// Where the data lives, without credentials (for logs and `/api/status/config`).
    public let location: String
    let backend: Backend
    let logger: Logger

    private init(engine: Engine, location: String, backend: Backend, logger: Logger) {
        self.engine = engine
        self.location = location
        self.backend = backend
        self.logger = logger
    }

    /// Opens the database of `service`.
    /// - Parameters:
    ///   - url: `postgres://…` or `sqlite:///path` / `sqlite::memory:`; `nil` means `<dataDir>/<service>.sqlite`.
    ///   - schema: the PostgreSQL schema for this service (created if missing).
    public static func open(url: String?, dataDir: String, service: String, logger: Logger) async throws -> Database {
        let url = url ?? "sqlite://" + URL(fileURLWithPath: dataDir).appendingPathComponent("\(service).sqlite").path
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try await openPostgres(url: url, schema: schemaName(for: service), logger: logger)
        }
        guard url.hasPrefix("sqlite:") else {
            throw DatabaseError.unsupportedURL("database.url must start with postgres://, postgresql:// or sqlite:")
        }
        let path = String(url.dropFirst("sqlite:".count)).replacingOccurrences(of: "^//", with: "", options: .regularExpression)
        return try await openSQLite(path: path, logger: logger)
    }

    /// `financial-analysis` → `financial_analysis`: a safe, unquoted PostgreSQL identifier.
    public static func schemaName(for service: String) -> String {
        "bourse_" + service.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    static func openSQLite(path: String, logger: Logger) async throws -> Database {
        let storage: SQLiteConnection.Storage
        if path == ":memory:" {
            storage = .memory
        } else {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            storage = .file(path: path)
        }
        // A thread of its own per connection: libsqlite3 calls block, and a busy wait on a lock that another
        // connection or process holds lasts up to busy_timeout. On the shared two-thread NIOThreadPool.singleton,
        // two such waits stalled every SQLite connection of the process, the lock holder's included.
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: storage, threadPool: threadPool, logger: logger,
                                                         on: MultiThreadedEventLoopGroup.singleton.any()).get()
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
        let db = Database(engine: .sqlite, location: "sqlite:\(path)", backend: .sqlite(connection, AsyncMutex(), threadPool), logger: logger)
        try await db.withSQL { sql in
            // WAL lets other processes read while one writes; busy_timeout makes writers wait instead of failing.
            try await sql.raw("PRAGMA busy_timeout=5000").run()
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            try await sql.raw("PRAGMA foreign_keys=ON").run()
            try await sql.raw("PRAGMA synchronous=NORMAL").run()
        }
        return db
    }

    static func openPostgres(url: String, schema: String, logger: Logger) async throws -> Database {
        var configuration = try SQLPostgresConfiguration(url: url)
        configuration.searchPath = [schema]
        let pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration),
            maxConnectionsPerEventLoop: 4,
            requestTimeout: .seconds(10),
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton
        )
        var location = URLComponents(string: url)
        if location?.password != nil { location?.password = "<redacted>" }
        let db = Database(engine: .postgres, location: (location?.string ?? "postgres") + " schema=\(schema)",
                          backend: .postgres(pool), logger: logger)
        do {
            try await db.withSQL { sql in
                do {
                    try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(unsafeRaw: schema)").run()
                } catch {
                    // Two processes creating the same schema at once: PostgreSQL's IF NOT EXISTS is not atomic and
                    // the loser gets a unique violation. The schema exists either way; anything else is an error.
                    let exists = try await sql.raw("SELECT 1 AS one FROM pg_namespace WHERE nspname = \(bind: schema)").first() != nil
                    if !exists { throw error }
                }
            }
        } catch {
            try? await pool.shutdownAsync()
            throw DatabaseError.unreachable(db.location, String(reflecting: error))
        }
        return db
    }

    /// How long a wait for, or a hold of, the SQLite connection may last before it is logged as a stall.
    static let slowSession = Duration.seconds(2)

    /// Runs `body` with one session (one connection); statements commit one by one.
    public func withSQL<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch backend {
        case .sqlite(let connection, let mutex, _):
            let sql = connection.sql(queryLogLevel: .trace)
            let asked = ContinuousClock.now
            return try await mutex.withLock {
                // A wait or hold this long means something is stalled (a slow disk, a long transaction holding the
                // one connection); say so, with numbers, instead of leaving only a slow request behind.
                let granted = ContinuousClock.now
                if granted - asked > Self.slowSession {
                    logger.warning("waited long for the database connection", metadata: [
                        "database": .string(location), "waited_ms": .stringConvertible(Int((granted - asked).inSeconds * 1000)),
                    ])
                }
                defer {
                    let held = ContinuousClock.now - granted
                    if held > Self.slowSession {
                        logger.warning("held the database connection long", metadata: [
                            "database": .string(location), "held_ms": .stringConvertible(Int(held.inSeconds * 1000)),
                        ])
                    }
                }
                return try await body(sql)
            }
        case .postgres(let pool):
            return try await pool.database(logger: logger).sql(queryLogLevel: .trace).withSession { try await body($0) }
        }
    }

    /// Runs `body` in one transaction: it commits when `body` returns and rolls back when it throws.
    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let begin = engine == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        return try await withSQL { sql in
            try await sql.raw("\(unsafeRaw: begin)").run()
            do {
                let result = try await body(sql)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                await Self.rollback(sql, logger: self.logger)
                throw error
            }
        }
    }

    /// Rolls back the open transaction of `sql`, also when the calling task is cancelled: the drivers refuse to
    /// start a statement in a cancelled task, and a session left inside its transaction would keep SQLite's write
    /// lock (every other connection to the file then fails with "database is locked") or go back to the
    /// PostgreSQL pool mid-transaction. So the ROLLBACK runs in a task of its own, which the caller's
    /// cancellation does not reach, and the caller waits for it.
    static func rollback(_ sql: any SQLDatabase, logger: Logger) async {
        let done = await Task.detached { () -> (any Error)? in
            do {
                try await sql.raw("ROLLBACK").run()
                return nil
            } catch {
                return error
            }
        }.value
        if let done { logger.error("rollback failed", metadata: ["error": .string(String(reflecting: done))]) }
    }

    /// A round trip to the database, for `/health/detailed`.
    public func ping() async throws {
        try await withSQL { sql in try await sql.raw("SELECT 1").run() }
    }

    /// Closes the connection or pool; the database must not be used afterwards.
    public func close() async {
        switch backend {
        case .sqlite(let connection, let mutex, let threadPool):
            _ = try? await mutex.withLock { try await connection.close() }
            try? await threadPool.shutdownGracefully()
        case .postgres(let pool):
            try? await pool.shutdownAsync()
        }
    }
}

public enum DatabaseError: Error, CustomStringConvertible {
    case unsupportedURL(String)
    case unreachable(String, String)

    public var description: String {
        switch self {
        case .unsupportedURL(let message): return message
        case .unreachable(let location, let reason): return "cannot reach database \(location): \(reason)"
        }
    }
}
