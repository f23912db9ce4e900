import BourseTesting
import Foundation
import SQLKit
import Testing
@testable import ServiceKit

/// `Database.bulkTransaction` / `BulkWriter.insert` on both engines: conflicts, errors, text values.
@Suite struct BulkWriterTests {
    struct Rows: BulkRows {
        var values: [(key: String, note: String, value: Double)]
        var count: Int { values.count }
        func write(row index: Int, to writer: inout BulkRowWriter) {
            writer.text(values[index].key)
            writer.text(values[index].note)
            writer.double(values[index].value)
        }
    }

    static let columns = ["k", "note", "v"]

    func withTable(_ engine: Database.Engine, _ body: (Database) async throws -> Void) async throws {
        let database = try await Database.open(url: try await TestSupport.databaseURL(engine), dataDir: TestSupport.temporaryDirectory(),
                                               service: TestSupport.uniqueServiceName("bulk"), logger: TestSupport.logger)
        do {
            try await database.withSQL { sql in
                try await sql.raw("CREATE TABLE items (k TEXT NOT NULL PRIMARY KEY, note TEXT NOT NULL, v DOUBLE PRECISION NOT NULL CHECK (v >= 0))").run()
                try await sql.raw("CREATE TABLE marks (n INTEGER NOT NULL)").run()
            }
            try await body(database)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    func items(_ db: Database) async throws -> [String: (note: String, value: Double)] {
        try await db.withSQL { sql in
            var result: [String: (note: String, value: Double)] = [:]
            for row in try await sql.raw("SELECT k, note, v FROM items").all() {
                result[try row.decode(column: "k", as: String.self)] = (try row.decode(column: "note", as: String.self),
                                                                       try row.decode(column: "v", as: Double.self))
            }
            return result
        }
    }

    func marks(_ db: Database) async throws -> Int {
        try await db.withSQL { sql in try await sql.raw("SELECT COUNT(*) AS n FROM marks").first()?.decode(column: "n", as: Int.self) ?? -1 }
    }

    @Test(arguments: TestSupport.engines)
    func rowsWhoseKeyExistsAreLeftAsTheyAreAndNotCounted(engine: Database.Engine) async throws {
        try await withTable(engine) { db in
            let first = Rows(values: (0..<3_000).map { (String(format: "k%05d", $0), "first", Double($0)) })
            #expect(try await db.bulkTransaction {
                try await $0.insert(into: "items", columns: Self.columns, conflictKey: ["k"], rows: first)
            } == 3_000)
            // Every other key exists already; the new ones are interleaved with them.
            let second = Rows(values: (0..<6_000).map { (String(format: "k%05d", $0), "second", Double($0) + 0.5) })
            #expect(try await db.bulkTransaction {
                try await $0.insert(into: "items", columns: Self.columns, conflictKey: ["k"], rows: second)
            } == 3_000)
            let stored = try await items(db)
            #expect(stored.count == 6_000)
            #expect(stored["k00000"]?.note == "first" && stored["k00000"]?.value == 0)
            #expect(stored["k02999"]?.note == "first" && stored["k02999"]?.value == 2_999)
            #expect(stored["k03000"]?.note == "second" && stored["k03000"]?.value == 3_000.5)
            // A repeat stores nothing.
            #expect(try await db.bulkTransaction { try await $0.insert(into: "items", columns: Self.columns, conflictKey: ["k"], rows: second) } == 0)
        }
    }

    @Test(arguments: TestSupport.engines)
    func aFailingRowRollsBackTheWholeTransactionWithTheDatabasesMessage(engine: Database.Engine) async throws {
        try await withTable(engine) { db in
            var bad = Rows(values: (0..<2_500).map { (key: "k\($0)", note: "n", value: Double($0)) })
            bad.values[2_400].value = -1  // violates CHECK (v >= 0)
            let rows = bad
            let error = await #expect(throws: (any Error).self) {
                _ = try await db.bulkTransaction { writer in
                    try await writer.sql.raw("INSERT INTO marks (n) VALUES (1)").run()
                    return try await writer.insert(into: "items", columns: Self.columns, conflictKey: ["k"], rows: rows)
                }
            }
            let message = String(describing: error).lowercased()
            #expect(message.contains("check"), "\(message)")
            let left = try await items(db).count
            let marked = try await marks(db)
            #expect(left == 0)
            #expect(marked == 0)
            // The connection is usable afterwards, outside any transaction.
            var good = rows
            good.values[2_400].value = 1
            let fixed = good
            #expect(try await db.bulkTransaction { try await $0.insert(into: "items", columns: Self.columns, conflictKey: ["k"], rows: fixed) } == 2_500)
        }
    }

    @Test(arguments: TestSupport.engines)
    func textValuesRoundTripExactly(engine: Database.Engine) async throws {
        let notes = ["O'Brien", "say \"hi\"", "back\\slash", "tab\there", "line\nbreak\r\n", "", "日本語のテキスト", "🎉 emoji ✓",
                     "'); DROP TABLE items; --", String(repeating: "long ", count: 2_000)]
        try await withTable(engine) { db in
            let rows = Rows(values: notes.enumerated().map { ("k\($0.offset)", $0.element, 1.25) })
            #expect(try await db.bulkTransaction { try await $0.insert(into: "items", columns: Self.columns, conflictKey: ["k"], rows: rows) } == rows.count)
            let stored = try await items(db)
            for row in rows.values {
                #expect(stored[row.key]?.note == row.note, "\(row.key)")
                #expect(stored[row.key]?.value == 1.25)
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func doublesRoundTripBitForBit(engine: Database.Engine) async throws {
        let values: [Double] = [0, 0.1, 1.0 / 3.0, 123_456.789_012_345_6, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-300, 5e-324, 2.5e15]
        try await withTable(engine) { db in
            let rows = Rows(values: values.enumerated().map { ("k\($0.offset)", "", $0.element) })
            #expect(try await db.bulkTransaction { try await $0.insert(into: "items", columns: Self.columns, conflictKey: ["k"], rows: rows) } == values.count)
            let stored = try await items(db)
            for row in rows.values { #expect(stored[row.key]?.value.bitPattern == row.value.bitPattern, "\(row.value)") }
        }
    }
}

/// The PostgreSQL bulk path's COPY text format: every value, escapes and non-finite numbers included, reads back
/// exactly as written.
@Suite struct BulkCopyFormatTests {
    @Test(.enabled(if: TestSupport.runPostgresTests))
    func copyTextStoresEveryValueExactly() async throws {
        try await BulkWriterTests().withTable(.postgres) { db in
            let values: [(key: String, note: String, value: Double)] = [
                ("a", "O'Brien \\ tab\t \"q\" 日本 🎉", 0.1), ("b", "", -0.0), ("c", "line\nbreak\r", .greatestFiniteMagnitude),
                ("d", "x", 1.0 / 3.0), ("e", "inf", .infinity), ("f", "nan", .nan), ("g", String(repeating: "long ", count: 5_000), 5e-324),
                ("h", "tiny", 2.2250738585072014e-308), ("i", "\\N", 1e300),
            ]
            let rows = BulkWriterTests.Rows(values: values)
            try await db.bulkTransaction { writer in
                guard case .postgres(let connection) = writer.connection else { return }
                try await writer.copy(connection, table: "items", columns: BulkWriterTests.columns, rows: rows)
            }
            let stored = try await BulkWriterTests().items(db)
            for row in values {
                #expect(stored[row.key]?.note == row.note, "\(row.key)")
                #expect(stored[row.key]?.value.bitPattern == row.value.bitPattern || (row.value.isNaN && stored[row.key]?.value.isNaN == true), "\(row.key)")
            }
        }
    }
}
