import Crypto
import Foundation
import SQLKit

/// One versioned schema change of a service, with the statements that apply it and those that revert it.
///
/// Statements may differ per engine (`SQL(sqlite:postgres:)`); the checksum covers the statements of the
/// engine in use, so editing a migration that has already run is detected and refused at start.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let up: SQL
    public let down: SQL

    public init(_ version: Int, _ name: String, up: SQL, down: SQL) {
        self.version = version
        self.name = name
        self.up = up
        self.down = down
    }

    /// Statements, the same on both engines or one list per engine.
    public struct SQL: Sendable {
        let sqlite: [String]
        let postgres: [String]

        public init(_ statements: [String]) {
            self.sqlite = statements
            self.postgres = statements
        }

        public init(sqlite: [String], postgres: [String]) {
            self.sqlite = sqlite
            self.postgres = postgres
        }

        func statements(for engine: Database.Engine) -> [String] {
            engine == .sqlite ? sqlite : postgres
        }
    }

    /// SHA-256 (hex) of the name and both directions' statements for `engine`.
    public func checksum(for engine: Database.Engine) -> String {
        let text = ([name] + up.statements(for: engine) + ["--down--"] + down.statements(for: engine)).joined(separator: "\n;\n")
        return SHA256.hash(data: Data(text.utf8)).hexString
    }
}

/// Applies and reverts a service's migrations, recording each in `bourse_migrations`.
///
/// Each migration runs in its own transaction together with its bookkeeping row, under a lock
/// (`BEGIN IMMEDIATE` on SQLite, an advisory lock on PostgreSQL) so that two instances starting at once
/// apply it exactly once.
public struct Migrator: Sendable {
    public let database: Database
    public let migrations: [Migration]

    public init(database: Database, migrations: [Migration]) {
        precondition(Set(migrations.map(\.version)).count == migrations.count, "migration versions must be unique")
        precondition(migrations.allSatisfy { $0.version > 0 }, "migration versions start at 1")
        self.database = database
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    public struct Status: Sendable, Codable, Equatable {
        public let version: Int
        public let name: String
        public let applied: Bool
        public let appliedAt: String?
        /// `false` when the recorded checksum differs from the code's: the migration was edited after it ran.
        public let checksumMatches: Bool
    }

    struct AppliedRow: Decodable {
        let version: Int
        let name: String
        let checksum: String
        let applied_at: String
    }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS bourse_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )
        """

    /// Creates the bookkeeping table under the migration lock: `CREATE TABLE IF NOT EXISTS` is not atomic in
    /// PostgreSQL, and two instances starting at once would otherwise both try to create it.
    func ensureTable() async throws {
        try await database.transaction { sql in
            try await self.lock(sql)
            try await sql.raw("\(unsafeRaw: Self.createTable)").run()
        }
    }

    func applied(_ sql: any SQLDatabase) async throws -> [Int: AppliedRow] {
        let rows = try await sql.raw("SELECT version, name, checksum, applied_at FROM bourse_migrations ORDER BY version")
            .all(decoding: AppliedRow.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.version, $0) })
    }

    /// Every known migration and whether it has been applied.
    public func status() async throws -> [Status] {
        try await ensureTable()
        let applied = try await database.withSQL { try await self.applied($0) }
        return migrations.map { m in
            let row = applied[m.version]
            return Status(version: m.version, name: m.name, applied: row != nil, appliedAt: row?.applied_at,
                          checksumMatches: row.map { $0.checksum == m.checksum(for: database.engine) } ?? true)
        }
    }

    /// Refuses a database whose applied migrations were edited, or that holds migrations this code does not know.
    public func verify() async throws {
        try await ensureTable()
        let applied = try await database.withSQL { try await self.applied($0) }
        try check(applied)
    }

    func check(_ applied: [Int: AppliedRow]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for row in applied.values.sorted(by: { $0.version < $1.version }) {
            guard let migration = known[row.version] else {
                throw MigrationError.unknownApplied(version: row.version, name: row.name)
            }
            if migration.checksum(for: database.engine) != row.checksum {
                throw MigrationError.checksumMismatch(version: row.version, name: row.name)
            }
        }
    }

    /// Applies pending migrations up to `target` (all when `nil`); returns the versions applied.
    @discardableResult
    public func up(to target: Int? = nil) async throws -> [Int] {
        try await verify()
        var done: [Int] = []
        for migration in migrations where migration.version <= (target ?? .max) {
            let engine = database.engine
            let appliedNow = try await database.transaction { sql in
                try await self.lock(sql)
                let applied = try await self.applied(sql)
                if applied[migration.version] != nil { return false }
                for statement in migration.up.statements(for: engine) {
                    try await sql.raw("\(unsafeRaw: statement)").run()
                }
                try await sql.raw("""
                    INSERT INTO bourse_migrations (version, name, checksum, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: migration.checksum(for: engine)), \(bind: Self.now()))
                    """).run()
                return true
            }
            if appliedNow { done.append(migration.version) }
        }
        return done
    }

    /// Reverts applied migrations above `target`, newest first (`nil`: only the newest one); returns the versions reverted.
    @discardableResult
    public func down(to target: Int? = nil) async throws -> [Int] {
        try await verify()
        let appliedVersions = try await database.withSQL { try await self.applied($0) }.keys.sorted(by: >)
        let floor = target ?? ((appliedVersions.first ?? 1) - 1)
        var done: [Int] = []
        for version in appliedVersions where version > floor {
            guard let migration = migrations.first(where: { $0.version == version }) else { continue }
            let engine = database.engine
            try await database.transaction { sql in
                try await self.lock(sql)
                for statement in migration.down.statements(for: engine) {
                    try await sql.raw("\(unsafeRaw: statement)").run()
                }
                try await sql.raw("DELETE FROM bourse_migrations WHERE version = \(bind: version)").run()
            }
            done.append(version)
        }
        return done
    }

    private func lock(_ sql: any SQLDatabase) async throws {
        // SQLite: BEGIN IMMEDIATE already holds the write lock. PostgreSQL: a transaction-scoped advisory lock.
        if database.engine == .postgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: Int64(0x0B0_0A5E)))").run()
        }
    }

    static func now() -> String {
        Date().formatted(.iso8601)
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case checksumMismatch(version: Int, name: String)
    case unknownApplied(version: Int, name: String)

    public var description: String {
        switch self {
        case .checksumMismatch(let version, let name):
            return "migration \(version) (\(name)) was changed after it was applied; refusing to start. Revert the edit and add a new migration instead."
        case .unknownApplied(let version, let name):
            return "the database has migration \(version) (\(name)) that this build does not know; it was written by a newer version"
        }
    }
}
