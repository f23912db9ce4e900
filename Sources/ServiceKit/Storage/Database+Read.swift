import Foundation
@preconcurrency import PostgresKit
import SQLiteKit

extension Database {
    /// Rows whose first column is text and whose other columns are numbers (the shape of a price series), as a
    /// text array and a row-major `Double` array, read on the driver connection: SQLKit's generic path decodes
    /// each row through a `Decoder`, which costs several times the read itself for a series of thousands of bars.
    ///
    /// - Parameters:
    ///   - sql: one SELECT with `$1`, `$2`, … placeholders (both engines accept them), selecting `columns` in order.
    ///   - binds: text values for the placeholders.
    public func readTextAndNumbers(_ sql: String, binds: [String], columns: [String]) async throws -> (texts: [String], numbers: [Double]) {
        let width = columns.count - 1
        switch backend {
        case .sqlite(let connection, let mutex, _):
            let rows = try await mutex.withLock { try await connection.query(sql, binds.map { .text($0) }) }
            var texts: [String] = []
            var numbers: [Double] = []
            texts.reserveCapacity(rows.count)
            numbers.reserveCapacity(rows.count * width)
            for row in rows {
                texts.append(row.column(columns[0])?.string ?? "")
                for name in columns.dropFirst() { numbers.append(row.column(name)?.double ?? .nan) }
            }
            return (texts, numbers)
        case .postgres(let pool):
            let connection = try await pool.requestConnection(logger: logger).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            var query = PostgresQuery(unsafeSQL: sql)
            for value in binds { query.binds.append(value, context: .default) }
            let rows = try await connection.query(query, logger: logger)
            var texts: [String] = []
            var numbers: [Double] = []
            for try await row in rows {
                let cells = row.makeRandomAccess()
                texts.append(try cells[0].decode(String.self))
                for i in 1...width { numbers.append(try cells[i].decode(Double.self)) }
            }
            return (texts, numbers)
        }
    }
}
