import BourseTesting
import Foundation
import SQLKit
import Testing
@testable import ServiceKit

/// Versioned migrations on both engines: SQLite always, PostgreSQL when the test run has one (always under CI).
@Suite struct MigrationTests {
    static let v1 = Migration(1, "create accounts", up: .init(["CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"]),
                              down: .init(["DROP TABLE accounts"]))
    static let v2 = Migration(2, "add email", up: .init(["ALTER TABLE accounts ADD COLUMN email TEXT"]),
                              down: .init(sqlite: ["ALTER TABLE accounts DROP COLUMN email"], postgres: ["ALTER TABLE accounts DROP COLUMN email"]))
    static let v3 = Migration(3, "create orders", up: .init(["CREATE TABLE orders (id INTEGER PRIMARY KEY)"]),
                              down: .init(["DROP TABLE orders"]))

    func withDatabase(_ engine: Database.Engine, _ body: (Database) async throws -> Void) async throws {
        let database = try await Database.open(url: try await TestSupport.databaseURL(engine), dataDir: TestSupport.temporaryDirectory(),
                                               service: TestSupport.uniqueServiceName("migr"), logger: TestSupport.logger)
        do {
            try await body(database)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    func tableExists(_ name: String, _ db: Database) async throws -> Bool {
        try await db.withSQL { sql in
            switch db.engine {
            case .sqlite:
                return try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = \(bind: name)").first() != nil
            case .postgres:
                return try await sql.raw("SELECT 1 AS one FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = \(bind: name)").first() != nil
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func upAppliesEveryPendingMigrationInOrderAndOnlyOnce(engine: Database.Engine) async throws {
        try await withDatabase(engine) { db in
            let migrator = Migrator(database: db, migrations: [Self.v2, Self.v1, Self.v3])
            let value1 = try await migrator.up()
            #expect(value1 == [1, 2, 3])
            let value2 = try await migrator.up()
            #expect(value2 == [])
            let value3 = try await tableExists("accounts", db)
            #expect(value3)
            let value4 = try await tableExists("orders", db)
            #expect(value4)
            let status = try await migrator.status()
            #expect(status.map(\.applied) == [true, true, true])
            #expect(status.allSatisfy { $0.checksumMatches })
        }
    }

    @Test(arguments: TestSupport.engines)
    func upToAndDownToMoveToTheNamedVersion(engine: Database.Engine) async throws {
        try await withDatabase(engine) { db in
            let migrator = Migrator(database: db, migrations: [Self.v1, Self.v2, Self.v3])
            let value5 = try await migrator.up(to: 1)
            #expect(value5 == [1])
            let value6 = try await migrator.status().map(\.applied)
            #expect(value6 == [true, false, false])
            let value7 = try await migrator.up()
            #expect(value7 == [2, 3])
            let value8 = try await migrator.down()
            #expect(value8 == [3])
            let value9 = try await tableExists("orders", db)
            #expect(!value9)
            let value10 = try await migrator.down(to: 0)
            #expect(value10 == [2, 1])
            let value11 = try await tableExists("accounts", db)
            #expect(!value11)
            let value12 = try await migrator.status().map(\.applied)
            #expect(value12 == [false, false, false])
        }
    }

    @Test(arguments: TestSupport.engines)
    func anEditedAppliedMigrationIsRefused(engine: Database.Engine) async throws {
        try await withDatabase(engine) { db in
            try await Migrator(database: db, migrations: [Self.v1]).up()
            let edited = Migration(1, "create accounts", up: .init(["CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)"]),
                                   down: .init(["DROP TABLE accounts"]))
            let migrator = Migrator(database: db, migrations: [edited, Self.v2])
            await #expect(throws: MigrationError.checksumMismatch(version: 1, name: "create accounts")) {
                try await migrator.up()
            }
            let value13 = try await migrator.status().first?.checksumMatches
            #expect(value13 == false)
            // Nothing after the refusal was applied.
            let value14 = try await migrator.status().map(\.applied)
            #expect(value14 == [true, false])
        }
    }

    @Test(arguments: TestSupport.engines)
    func aDatabaseFromANewerBuildIsRefused(engine: Database.Engine) async throws {
        try await withDatabase(engine) { db in
            try await Migrator(database: db, migrations: [Self.v1, Self.v2]).up()
            await #expect(throws: MigrationError.unknownApplied(version: 2, name: "add email")) {
                try await Migrator(database: db, migrations: [Self.v1]).verify()
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func aFailingMigrationLeavesNothingBehind(engine: Database.Engine) async throws {
        try await withDatabase(engine) { db in
            let broken = Migration(2, "broken", up: .init(["CREATE TABLE half (id INTEGER)", "THIS IS NOT SQL"]),
                                   down: .init(["DROP TABLE half"]))
            let migrator = Migrator(database: db, migrations: [Self.v1, broken])
            await #expect(throws: (any Error).self) { try await migrator.up() }
            let value15 = try await tableExists("accounts", db)
            #expect(value15)
            let value16 = try await tableExists("half", db)
            #expect(!value16)
            let value17 = try await migrator.status().map(\.applied)
            #expect(value17 == [true, false])
        }
    }

    @Test(arguments: TestSupport.engines)
    func twoInstancesMigratingAtOnceApplyEachMigrationOnce(engine: Database.Engine) async throws {
        let url = try await TestSupport.databaseURL(engine)
        let service = TestSupport.uniqueServiceName("race")
        let dir = TestSupport.temporaryDirectory()
        let a = try await Database.open(url: url, dataDir: dir, service: service, logger: TestSupport.logger)
        let b: Database
        do { b = try await Database.open(url: url, dataDir: dir, service: service, logger: TestSupport.logger) } catch {
            await a.close()
            throw error
        }
        let migrations = [Self.v1, Self.v2, Self.v3]
        async let first = Result(catching: { try await Migrator(database: a, migrations: migrations).up() })
        async let second = Result(catching: { try await Migrator(database: b, migrations: migrations).up() })
        let (x, y) = await (first, second)
        await a.close()
        await b.close()
        #expect((try x.get() + y.get()).sorted() == [1, 2, 3])
    }

    @Test(arguments: TestSupport.engines)
    func transactionRollsBackEveryStatementWhenTheBodyThrows(engine: Database.Engine) async throws {
        struct Stop: Error {}
        try await withDatabase(engine) { db in
            try await Migrator(database: db, migrations: [Self.v1]).up()
            await #expect(throws: Stop.self) {
                try await db.transaction { sql in
                    try await sql.raw("INSERT INTO accounts (id, name) VALUES (\(bind: 1), \(bind: "a"))").run()
                    throw Stop()
                }
            }
            let count = try await db.withSQL { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM accounts").first()?.decode(column: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }
}

@Suite struct PostgresSchemaTests {
    @Test(.enabled(if: TestSupport.runPostgresTests))
    func manyProcessesOpeningTheSameServiceAtOnceAllSucceed() async throws {
        let url = try await TestSupport.databaseURL(.postgres)
        let service = TestSupport.uniqueServiceName("race")
        try await withThrowingTaskGroup(of: Database.self) { group in
            for _ in 0..<8 {
                group.addTask { try await Database.open(url: url, dataDir: TestSupport.temporaryDirectory(), service: service, logger: TestSupport.logger) }
            }
            var opened: [Database] = []
            do {
                for try await db in group { opened.append(db) }
            } catch {
                for db in opened { await db.close() }
                throw error
            }
            #expect(opened.count == 8)
            for db in opened { await db.close() }
        }
    }
}
