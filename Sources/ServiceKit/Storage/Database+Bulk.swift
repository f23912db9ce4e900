import Foundation
import NIOCore
import NIOPosix
@preconcurrency import PostgresKit
import SQLKit
import SQLiteKit

/// Rows for ``BulkWriter/insert(into:columns:conflictKey:rows:)``: a count and a way to write row `i` column by column.
public protocol BulkRows: Sendable {
    var count: Int { get }
    /// Writes every column of row `index`, in the order of the insert's `columns`.
    func write(row index: Int, to writer: inout BulkRowWriter)
}

/// Receives one row's values, in column order, encoded for the engine in use.
public struct BulkRowWriter {
    enum Kind {
        /// Values collected as `SQLiteData` for a multi-row statement.
        case sqliteBinds
        /// COPY text format into `buffer`.
        case postgres
    }

    let kind: Kind
    var binds: [SQLiteData] = []
    var buffer = ByteBuffer()
    var columnInRow = 0

    init(binds: [SQLiteData]) {
        kind = .sqliteBinds
        self.binds = binds
    }

    init(buffer: ByteBuffer) {
        kind = .postgres
        self.buffer = buffer
    }

    public mutating func text(_ value: String) {
        switch kind {
        case .sqliteBinds:
            binds.append(.text(value))
        case .postgres:
            separator()
            Self.escapeCopyText(value, into: &buffer)
        }
    }

    public mutating func double(_ value: Double) {
        switch kind {
        case .sqliteBinds:
            binds.append(.float(value))
        case .postgres:
            separator()
            // The shortest text that reads back as the same Double (Swift's description round-trips).
            if value.isFinite { buffer.writeString(value.description) } else { buffer.writeString(value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity") }
        }
    }

    private mutating func separator() {
        if columnInRow > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
        columnInRow += 1
    }

    /// COPY's text format: backslash, tab, newline and carriage return are escaped; everything else is literal.
    static func escapeCopyText(_ value: String, into buffer: inout ByteBuffer) {
        var plain = true
        for byte in value.utf8 where byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            plain = false
            break
        }
        if plain { buffer.writeString(value); return }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}

extension Database {
    /// Runs `body` in one transaction on one driver connection with a ``BulkWriter``: the fast path for large
    /// writes, which SQLKit's generic path (every value an `Encodable` bind through its serializer) makes several
    /// times slower. The writer's `sql` runs other statements in the same transaction.
    public func bulkTransaction<R: Sendable>(_ body: @escaping @Sendable (BulkWriter) async throws -> R) async throws -> R {
        switch backend {
        case .sqlite(let connection, let mutex, _):
            return try await mutex.withLock {
                let writer = BulkWriter(connection: .sqlite(connection), sql: connection.sql(queryLogLevel: .trace))
                return try await Self.inTransaction(writer, begin: "BEGIN IMMEDIATE", logger: self.logger, body)
            }
        case .postgres(let pool):
            let connection = try await pool.requestConnection(logger: logger).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            let writer = BulkWriter(connection: .postgres(connection), sql: connection.sql(queryLogLevel: .trace))
            return try await Self.inTransaction(writer, begin: "BEGIN", logger: logger, body)
        }
    }

    private static func inTransaction<R>(_ writer: BulkWriter, begin: String, logger: Logger,
                                         _ body: @Sendable (BulkWriter) async throws -> R) async throws -> R {
        try await writer.sql.raw("\(unsafeRaw: begin)").run()
        do {
            let result = try await body(writer)
            try await writer.sql.raw("COMMIT").run()
            return result
        } catch {
            await Database.rollback(writer.sql, logger: logger)
            throw error
        }
    }
}

/// Bulk inserts inside a ``Database/bulkTransaction(_:)``.
public struct BulkWriter: Sendable {
    enum Connection: Sendable {
        case sqlite(SQLiteConnection)
        case postgres(PostgresConnection)
    }

    let connection: Connection
    /// The same connection and transaction through SQLKit, for the statements around the bulk insert.
    public let sql: any SQLDatabase

    /// Bound parameters per SQLite statement: SQLite allows 32,766; fewer keeps each statement's compilation and
    /// bind array small while still amortising the statement over thousands of values.
    static let sqliteParametersPerStatement = 16_000
    /// Bytes of COPY data sent per message.
    static let copyChunkBytes = 256 * 1024

    /// Inserts `rows`; rows whose `conflictKey` already exists are left as they are. Returns the rows inserted.
    ///
    /// SQLite: multi-row `INSERT … ON CONFLICT DO NOTHING` statements with values bound from `SQLiteData`, the next
    /// statement's values built while SQLite runs the current one. PostgreSQL: `COPY … FROM STDIN` in the text
    /// format (postgres-nio's `copyFrom`) into the table inside a savepoint; if a key already exists (unique
    /// violation), the savepoint is rolled back and the rows go through a temporary table and
    /// `INSERT … SELECT … ON CONFLICT DO NOTHING`. Both through the drivers' public APIs only. Table and column
    /// names are code, never input.
    public func insert(into table: String, columns: [String], conflictKey: [String], rows: some BulkRows) async throws -> Int {
        guard rows.count > 0 else { return 0 }
        switch connection {
        case .sqlite(let connection):
            try await sqlitePragmas(connection)
            return try await sqliteInsert(connection, table: table, columns: columns, conflictKey: conflictKey, rows: rows)
        case .postgres(let connection):
            return try await postgresInsert(connection, table: table, columns: columns, conflictKey: conflictKey, rows: rows)
        }
    }

    static func sqliteStatement(table: String, columns: [String], conflictKey: [String], rows n: Int) -> String {
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            + Array(repeating: tuple, count: n).joined(separator: ",")
            + " ON CONFLICT (\(conflictKey.joined(separator: ", "))) DO NOTHING"
    }

    private func sqlitePragmas(_ connection: SQLiteConnection) async throws {
        // A page cache that holds a whole bulk transaction's pages (the default 2 MiB spills them to the WAL early
        // and writes them again); memory is taken only as pages are used, and the setting stays with the connection.
        _ = try await connection.query("PRAGMA cache_size = -131072")
        // Checkpoints every 64 MiB of WAL instead of every 4 MiB: a checkpoint copies the WAL into the database and
        // syncs both, and at the default a 100,000-bar transaction paid one at every commit.
        _ = try await connection.query("PRAGMA wal_autocheckpoint = 16384")
    }

    private func sqliteInsert(_ connection: SQLiteConnection, table: String, columns: [String], conflictKey: [String],
                              rows: some BulkRows) async throws -> Int {
        func statement(rows n: Int) -> String {
            Self.sqliteStatement(table: table, columns: columns, conflictKey: conflictKey, rows: n)
        }
        let before = try await connection.query("SELECT total_changes() AS n").first?.column("n")?.integer ?? 0
        let width = columns.count
        let perStatement = max(1, Self.sqliteParametersPerStatement / width)
        let full = statement(rows: perStatement)
        @Sendable func binds(from start: Int) -> [SQLiteData] {
            let n = min(perStatement, rows.count - start)
            var writer = BulkRowWriter(binds: { var a: [SQLiteData] = []; a.reserveCapacity(n * width); return a }())
            for i in start..<(start + n) { rows.write(row: i, to: &writer) }
            return writer.binds
        }
        var start = 0
        var current = binds(from: 0)
        while start < rows.count {
            let n = min(perStatement, rows.count - start)
            let following = start + n
            // The next statement's values are built on another thread while SQLite runs this one.
            async let next = following < rows.count ? binds(from: following) : []
            _ = try await connection.query(n == perStatement ? full : statement(rows: n), current)
            current = await next
            start = following
        }
        let after = try await connection.query("SELECT total_changes() AS n").first?.column("n")?.integer ?? 0
        return after - before
    }

    private func postgresInsert(_ connection: PostgresConnection, table: String, columns: [String], conflictKey: [String],
                                rows: some BulkRows) async throws -> Int {
        try await sql.raw("SAVEPOINT bourse_bulk").run()
        do {
            try await copy(connection, table: table, columns: columns, rows: rows)
            try await sql.raw("RELEASE SAVEPOINT bourse_bulk").run()
            return rows.count
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            try await sql.raw("ROLLBACK TO SAVEPOINT bourse_bulk").run()
        }
        let stage = "bourse_bulk_" + table
        try await sql.raw("CREATE TEMPORARY TABLE IF NOT EXISTS \(unsafeRaw: stage) (LIKE \(unsafeRaw: table)) ON COMMIT DELETE ROWS").run()
        try await sql.raw("TRUNCATE \(unsafeRaw: stage)").run()
        try await copy(connection, table: stage, columns: columns, rows: rows)
        let list = columns.joined(separator: ", ")
        return try await sql.raw("""
            WITH inserted AS (
                INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: list)) SELECT \(unsafeRaw: list) FROM \(unsafeRaw: stage)
                ON CONFLICT (\(unsafeRaw: conflictKey.joined(separator: ", "))) DO NOTHING RETURNING 1)
            SELECT COUNT(*) AS n FROM inserted
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// `COPY … FROM STDIN` in the text format, through postgres-nio's public `copyFrom` (which offers no other).
    func copy(_ connection: PostgresConnection, table: String, columns: [String], rows: some BulkRows) async throws {
        try await copyText(connection, table: table, columns: columns, rows: rows)
    }

    private func copyText(_ connection: PostgresConnection, table: String, columns: [String], rows: some BulkRows) async throws {
        try await connection.copyFrom(table: table, columns: columns, logger: connection.logger) { out in
            var writer = BulkRowWriter(buffer: ByteBufferAllocator().buffer(capacity: Self.copyChunkBytes + 4096))
            for i in 0..<rows.count {
                writer.columnInRow = 0
                rows.write(row: i, to: &writer)
                writer.buffer.writeInteger(UInt8(ascii: "\n"))
                if writer.buffer.readableBytes >= Self.copyChunkBytes {
                    try await out.write(writer.buffer)
                    writer.buffer.clear()
                }
            }
            if writer.buffer.readableBytes > 0 { try await out.write(writer.buffer) }
        }
    }
}
