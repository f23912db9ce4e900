import BourseTesting
import Foundation
import SQLKit
import ServiceLifecycle
import Synchronization
@testable import ServiceKit

/// A shared bus store and the "processes" that use it: each has its own handle on the store (a second SQLite
/// connection to the same WAL file, or a second PostgreSQL pool) and its own database with an outbox, exactly
/// as two `bourse serve` processes would.
struct SharedBusFixture {
    let engine: Database.Engine
    let storeURL: String
    let dataDir: String

    struct Process: Sendable {
        let name: String
        let own: Database
        let store: Database
        let metrics: HTTPMetrics
        let bus: EventBus

        func close() async {
            await own.close()
            await store.close()
        }
    }

    /// Runs `body` with a fresh store; every process it opens is closed afterwards.
    static func with(_ engine: Database.Engine, _ body: (SharedBusFixture, _ open: (String) async throws -> Process) async throws -> Void) async throws {
        let dataDir = TestSupport.temporaryDirectory()
        let url = engine == .sqlite ? "sqlite://\(dataDir)/bus.sqlite" : try await TestSupport.databaseURL(.postgres)
        let fixture = SharedBusFixture(engine: engine, storeURL: url, dataDir: dataDir)
        let opened = ProcessList()
        do {
            try await body(fixture) { name in
                let process = try await fixture.process(name)
                opened.append(process)
                return process
            }
        } catch {
            for process in opened.all { await process.close() }
            throw error
        }
        for process in opened.all { await process.close() }
    }

    /// A process: its own database (a file of its own, or its own schema next to `bourse_bus`) and a store handle.
    func process(_ name: String) async throws -> Process {
        let own = try await Database.open(url: engine == .postgres ? storeURL : nil, dataDir: dataDir, service: name, logger: TestSupport.logger)
        let store: Database
        do {
            try await Migrator(database: own, migrations: BusMigrations.local).up()
            store = try await Database.open(url: storeURL, dataDir: dataDir, service: "bus", logger: TestSupport.logger)
        } catch {
            await own.close()
            throw error
        }
        do {
            try await Migrator(database: store, migrations: BusMigrations.store).up()
        } catch {
            await own.close()
            await store.close()
            throw error
        }
        let metrics = HTTPMetrics(service: name)
        var bus = EventBus(store: store, outbox: own, registry: metrics.registry, logger: TestSupport.logger)
        if engine == .postgres { bus.listenURLs = ListenURLs(store: storeURL, outbox: storeURL) }
        return Process(name: name, own: own, store: store, metrics: metrics, bus: bus)
    }

    /// Rows of a table in `database`.
    static func count(_ table: String, in database: Database) async throws -> Int {
        try await database.withSQL { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }
}

/// The processes a test opened, for closing them.
final class ProcessList: Sendable {
    private let list = Mutex<[SharedBusFixture.Process]>([])
    func append(_ process: SharedBusFixture.Process) { list.withLock { $0.append(process) } }
    var all: [SharedBusFixture.Process] { list.withLock { $0 } }
}

/// The sample value of an unlabelled metric in the Prometheus text, if present.
func sample(_ name: String, in metrics: HTTPMetrics) -> Double? {
    let text = String(decoding: metrics.exposition(), as: UTF8.self)
    return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
}

/// Runs `services` (relays, listeners) and `consumers` while `body` runs, then cancels them all.
func running<R: Sendable>(services: [any Service], consumers: [BusConsumer], _ body: () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for service in services + consumers.map({ $0 as any Service }) { group.addTask { try await service.run() } }
        do {
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}
