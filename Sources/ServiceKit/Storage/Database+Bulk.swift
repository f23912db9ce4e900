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
        /// Values collected as `SQLiteData` for a multi-row statement (the fallback SQLite path).
        case sqliteBinds
        /// Values bound straight into a prepared single-row statement (`statement`).
        case sqliteStatement
        /// COPY text format into `buffer`.
        case postgres
        /// COPY binary format into `buffer`: lengths and network-order values, nothing for the server to parse.
        case postgresBinary
    }

    let kind: Kind
    var binds: [SQLiteData] = []
    var buffer = ByteBuffer()
    var statement: SQLiteBulkStatement?
    var columnInRow = 0

    init(binds: [SQLiteData]) {
        kind = .sqliteBinds
        self.binds = binds
    }

    init(buffer: ByteBuffer, binary: Bool = false) {
        kind = binary ? .postgresBinary : .postgres
        self.buffer = buffer
    }

    init(statement: SQLiteBulkStatement) {
        kind = .sqliteStatement
        self.statement = statement
    }

    public mutating func text(_ value: String) {
        switch kind {
        case .sqliteStatement:
            columnInRow += 1
            statement.unsafelyUnwrapped.bind(text: value, at: Int32(columnInRow))
        case .sqliteBinds:
            binds.append(.text(value))
        case .postgres:
            separator()
            Self.escapeCopyText(value, into: &buffer)
        case .postgresBinary:
            buffer.writeInteger(Int32(value.utf8.count))
            buffer.writeString(value)
        }
    }

    public mutating func double(_ value: Double) {
        switch kind {
        case .sqliteStatement:
            columnInRow += 1
            statement.unsafelyUnwrapped.bind(double: value, at: Int32(columnInRow))
        case .sqliteBinds:
            binds.append(.float(value))
        case .postgres:
            separator()
            if value.isFinite { buffer.writeString(value.description) } else { buffer.writeString(value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity") }
        case .postgresBinary:
            buffer.writeInteger(Int32(8))
            buffer.writeInteger(value.bitPattern)  // float8send: the IEEE 754 bits, big-endian
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
        case .sqlite(let connection, let mutex, let threadPool):
            return try await mutex.withLock {
                let writer = BulkWriter(connection: .sqlite(connection, threadPool), sql: connection.sql(queryLogLevel: .trace))
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
        /// The connection and its own one-thread pool, on which every libsqlite3 call of the connection runs.
        case sqlite(SQLiteConnection, NIOThreadPool)
        case postgres(PostgresConnection)
    }

    let connection: Connection
    /// The same connection and transaction through SQLKit, for the statements around the bulk insert.
    public let sql: any SQLDatabase

    /// Rows per SQLite statement on the fallback path: 8 columns × 2,000 rows stays under SQLite's 32,766 bound
    /// parameters.
    static let sqliteRowsPerStatement = 2_000
    /// Bytes of COPY data sent per message.
    static let copyChunkBytes = 256 * 1024

    /// Inserts `rows`; rows whose `conflictKey` already exists are left as they are. Returns the rows inserted.
    ///
    /// SQLite: one single-row `INSERT … ON CONFLICT DO NOTHING` prepared once and bound and stepped per row on the
    /// connection's `sqlite3*` (``SQLiteRawHandle``); if sqlite-nio no longer lets that handle be reached,
    /// multi-row statements with values bound from `SQLiteData`. PostgreSQL: binary `COPY … FROM STDIN` (see
    /// ``copy(_:table:columns:rows:binary:binaryTarget:)``) into the table inside a savepoint; if a key already
    /// exists (unique violation), the savepoint is rolled back and the rows go through a temporary table and
    /// `INSERT … SELECT … ON CONFLICT DO NOTHING`. Table and column names are code, never input.
    public func insert(into table: String, columns: [String], conflictKey: [String], rows: some BulkRows) async throws -> Int {
        try await insert(into: table, columns: columns, conflictKey: conflictKey, rows: rows, preparedStatement: true)
    }

    /// `preparedStatement: false` takes SQLite's fallback path (multi-row statements), for its tests.
    func insert(into table: String, columns: [String], conflictKey: [String], rows: some BulkRows,
                preparedStatement: Bool) async throws -> Int {
        guard rows.count > 0 else { return 0 }
        switch connection {
        case .sqlite(let connection, let threadPool):
            try await sqlitePragmas(connection)
            if preparedStatement, let handle = await preparedStatementHandle() {
                return try await sqliteStatementInsert(handle, threadPool: threadPool, table: table, columns: columns,
                                                       conflictKey: conflictKey, rows: rows)
            }
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

    /// The `sqlite3*` of this writer's connection, when it can be reached and is the one inside this transaction;
    /// `nil` on PostgreSQL. (Internal for the test that fails when a sqlite-nio upgrade hides the handle.)
    func preparedStatementHandle() async -> SQLiteRawHandle? {
        guard case .sqlite(let connection, let threadPool) = connection, let handle = SQLiteRawHandle.of(connection) else { return nil }
        return try? await threadPool.runIfActive { handle.inTransaction ? handle : nil }
    }

    private func sqlitePragmas(_ connection: SQLiteConnection) async throws {
        // A page cache that holds a whole bulk transaction's pages (the default 2 MiB spills them to the WAL early
        // and writes them again); memory is taken only as pages are used, and the setting stays with the connection.
        _ = try await connection.query("PRAGMA cache_size = -131072")
        // Checkpoints every 64 MiB of WAL instead of every 4 MiB: a checkpoint copies the WAL into the database and
        // syncs both, and at the default a 100,000-bar transaction paid one at every commit.
        _ = try await connection.query("PRAGMA wal_autocheckpoint = 16384")
    }

    /// The prepared-statement path: every row bound and stepped on the connection's own thread (the transaction
    /// holds the connection's mutex, so nothing else runs on it meanwhile). An error leaves the transaction to
    /// ``Database/bulkTransaction(_:)``, which rolls it back.
    private func sqliteStatementInsert(_ handle: SQLiteRawHandle, threadPool: NIOThreadPool, table: String, columns: [String],
                                       conflictKey: [String], rows: some BulkRows) async throws -> Int {
        let sql = Self.sqliteStatement(table: table, columns: columns, conflictKey: conflictKey, rows: 1)
        return try await threadPool.runIfActive {
            let statement = try SQLiteBulkStatement(sql, on: handle)
            let before = handle.totalChanges
            var writer = BulkRowWriter(statement: statement)
            for i in 0..<rows.count {
                writer.columnInRow = 0
                rows.write(row: i, to: &writer)
                try statement.step()
            }
            return Int(handle.totalChanges - before)
        }
    }

    private func sqliteInsert(_ connection: SQLiteConnection, table: String, columns: [String], conflictKey: [String],
                              rows: some BulkRows) async throws -> Int {
        func statement(rows n: Int) -> String {
            Self.sqliteStatement(table: table, columns: columns, conflictKey: conflictKey, rows: n)
        }
        let before = try await connection.query("SELECT total_changes() AS n").first?.column("n")?.integer ?? 0
        let full = statement(rows: Self.sqliteRowsPerStatement)
        let width = columns.count
        @Sendable func binds(from start: Int) -> [SQLiteData] {
            let n = min(Self.sqliteRowsPerStatement, rows.count - start)
            var writer = BulkRowWriter(binds: { var a: [SQLiteData] = []; a.reserveCapacity(n * width); return a }())
            for i in start..<(start + n) { rows.write(row: i, to: &writer) }
            return writer.binds
        }
        var start = 0
        var current = binds(from: 0)
        while start < rows.count {
            let n = min(Self.sqliteRowsPerStatement, rows.count - start)
            let following = start + n
            // The next statement's values are built on another thread while SQLite runs this one.
            async let next = following < rows.count ? binds(from: following) : []
            _ = try await connection.query(n == Self.sqliteRowsPerStatement ? full : statement(rows: n), current)
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

    /// `COPY … FROM STDIN` in the binary format, or in the text format when the binary one cannot be asked for.
    ///
    /// postgres-nio 1.33's `copyFrom` offers the text format only, and in text the server spends most of a bulk
    /// insert parsing floats (`psql \copy` of the bench's rows: 175k–290k bars/s in text, 290k–500k in binary on
    /// this project's benchmark machine). It builds its statement as `COPY "<table>"(<columns>) FROM STDIN WITH
    /// (FORMAT text)` with the table name inserted as given (its documentation says so); ``binaryCopyTarget``
    /// passes a table name that closes the quote, names the columns, asks for `FORMAT binary` and comments out the
    /// rest of the line. Table and column names are code, never input. If a postgres-nio release quotes the name,
    /// the server answers "relation does not exist" or a syntax error before any row is sent, and the rows go in the
    /// text format (inside a savepoint, so the transaction is not lost); `BulkWriterTests` fails then, so the
    /// slowdown is not silent.
    /// Returns whether the rows went in the binary format. (`binaryTarget` stands in for
    /// ``binaryCopyTarget(table:columns:)`` in the test of the fallback.)
    @discardableResult
    func copy(_ connection: PostgresConnection, table: String, columns: [String], rows: some BulkRows,
              binary: Bool = true, binaryTarget: String? = nil) async throws -> Bool {
        guard binary else {
            try await copyText(connection, table: table, columns: columns, rows: rows)
            return false
        }
        try await sql.raw("SAVEPOINT bourse_copy").run()
        var usedBinary = true
        do {
            try await copyBinary(connection, target: binaryTarget ?? Self.binaryCopyTarget(table: table, columns: columns),
                                 fields: columns.count, rows: rows)
        } catch let error as PSQLError where ["42601", "42P01"].contains(error.serverInfo?[.sqlState]) {
            connection.logger.warning("binary COPY refused, using the text format", metadata: ["error": "\(String(reflecting: error))"])
            try await sql.raw("ROLLBACK TO SAVEPOINT bourse_copy").run()
            try await copyText(connection, table: table, columns: columns, rows: rows)
            usedBinary = false
        }
        try await sql.raw("RELEASE SAVEPOINT bourse_copy").run()
        return usedBinary
    }

    /// The `table` argument for postgres-nio's `copyFrom` that makes its statement a binary COPY (see ``copy``).
    static func binaryCopyTarget(table: String, columns: [String]) -> String {
        table + "\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") FROM STDIN WITH (FORMAT binary) --"
    }

    private func copyBinary(_ connection: PostgresConnection, target: String, fields: Int, rows: some BulkRows) async throws {
        try await connection.copyFrom(table: target, columns: [], logger: connection.logger) { out in
            var writer = BulkRowWriter(buffer: ByteBufferAllocator().buffer(capacity: Self.copyChunkBytes + 4096), binary: true)
            // Signature, flags (no OIDs), header extension length.
            writer.buffer.writeBytes(Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
            writer.buffer.writeInteger(Int32(0))
            writer.buffer.writeInteger(Int32(0))
            let fields = Int16(fields)
            for i in 0..<rows.count {
                writer.buffer.writeInteger(fields)
                rows.write(row: i, to: &writer)
                if writer.buffer.readableBytes >= Self.copyChunkBytes {
                    try await out.write(writer.buffer)
                    writer.buffer.clear()
                }
            }
            writer.buffer.writeInteger(Int16(-1))  // trailer
            try await out.write(writer.buffer)
        }
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
