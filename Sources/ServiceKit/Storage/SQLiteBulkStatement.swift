import NIOPosix
import SQLiteNIO
// sqlite-nio's vendored SQLite (symbols prefixed `sqlite_nio_`), the one copy of SQLite in the process. Never link
// another (system libsqlite3, GRDB): two copies touching one file break POSIX locking and can corrupt the database.
import VaporCSQLite

/// The `sqlite3*` of a sqlite-nio connection, for the bulk path's prepared statement.
///
/// sqlite-nio prepares a statement on every `query` call and exposes neither its statements nor its handle; at
/// 2,000 rows a statement, SQLite spent a fifth of the bulk path's time parsing and compiling them. The handle is
/// `SQLiteConnection.handle.raw` (internal); it is read by reflection, which fails softly: if a sqlite-nio release
/// renames or changes it, ``of(_:)`` returns `nil` and the bulk path falls back to multi-row statements
/// (`BarBulkTests`/`BulkWriterTests` fail then, so the slowdown is not silent).
///
/// Use it only on the connection's own thread pool (every sqlite-nio call of the connection runs there, one at a
/// time: `Database` gives each connection a one-thread pool) and only while holding the connection's `AsyncMutex`.
struct SQLiteRawHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    static func of(_ connection: SQLiteConnection) -> SQLiteRawHandle? {
        guard let raw = Mirror(reflecting: connection).descendant("handle", "raw"),
              let pointer = raw as? OpaquePointer else { return nil }
        return SQLiteRawHandle(pointer: pointer)
    }

    /// Whether this handle is inside a transaction (`sqlite3_get_autocommit` is 0): the bulk path checks, after its
    /// `BEGIN IMMEDIATE` through sqlite-nio, that the handle it found is the one that began it.
    var inTransaction: Bool { sqlite_nio_sqlite3_get_autocommit(pointer) == 0 }

    var totalChanges: Int64 { sqlite_nio_sqlite3_total_changes64(pointer) }

    func error(_ code: Int32, _ what: String) -> SQLiteBulkError {
        SQLiteBulkError(code: code, message: "\(what): " + String(cString: sqlite_nio_sqlite3_errmsg(pointer)))
    }
}

/// A failed SQLite call of the bulk path, with SQLite's result code and message.
public struct SQLiteBulkError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "SQLite error \(code): \(message)" }
}

/// One prepared single-row statement, bound and stepped once per row: no parsing per row, and no allocation per
/// value (text is copied into a buffer owned here and bound `SQLITE_STATIC`; doubles are bound as they are).
final class SQLiteBulkStatement {
    let handle: SQLiteRawHandle
    let pointer: OpaquePointer
    /// The row's text values, bound `SQLITE_STATIC`: the bytes must stay put until the row has been stepped.
    private let scratch: UnsafeMutableRawPointer
    private let scratchCapacity = 4_096
    private var used = 0
    /// The first failed bind of the current row (SQLITE_OK when none).
    private(set) var bindFailure = SQLITE_OK

    init(_ sql: String, on handle: SQLiteRawHandle) throws {
        var statement: OpaquePointer?
        let rc = sqlite_nio_sqlite3_prepare_v3(handle.pointer, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            if let statement { sqlite_nio_sqlite3_finalize(statement) }
            throw handle.error(rc, "prepare")
        }
        self.handle = handle
        self.pointer = statement
        scratch = .allocate(byteCount: scratchCapacity, alignment: 1)
    }

    deinit {
        sqlite_nio_sqlite3_finalize(pointer)
        scratch.deallocate()
    }

    func bind(text value: String, at index: Int32) {
        var value = value
        let rc = value.withUTF8 { bytes -> Int32 in
            let n = bytes.count
            if used + n <= scratchCapacity {
                let destination = scratch + used
                if n > 0 { destination.copyMemory(from: bytes.baseAddress!, byteCount: n) }
                used += n
                return sqlite_nio_sqlite3_bind_text64(pointer, index, destination.assumingMemoryBound(to: CChar.self),
                                                      UInt64(n), nil /* SQLITE_STATIC */, UInt8(SQLITE_UTF8))
            }
            // A row's text larger than the buffer: SQLite copies it.
            return sqlite_nio_sqlite3_bind_text64(pointer, index, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                                                  UInt64(n), sqliteTransient, UInt8(SQLITE_UTF8))
        }
        if rc != SQLITE_OK && bindFailure == SQLITE_OK { bindFailure = rc }
    }

    func bind(double value: Double, at index: Int32) {
        let rc = sqlite_nio_sqlite3_bind_double(pointer, index, value)
        if rc != SQLITE_OK && bindFailure == SQLITE_OK { bindFailure = rc }
    }

    /// Runs the statement with the values bound since the last call and makes it ready for the next row.
    func step() throws {
        defer { used = 0 }
        if bindFailure != SQLITE_OK {
            let rc = bindFailure
            bindFailure = SQLITE_OK
            throw handle.error(rc, "bind")
        }
        let rc = sqlite_nio_sqlite3_step(pointer)
        guard rc == SQLITE_DONE else {
            let error = handle.error(rc, "insert")
            sqlite_nio_sqlite3_reset(pointer)
            throw error
        }
        sqlite_nio_sqlite3_reset(pointer)
    }
}

/// `SQLITE_TRANSIENT`, a C macro Swift does not import: SQLite copies the value before the bind returns.
private var sqliteTransient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }
