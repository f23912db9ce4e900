import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

extension EventBus {
    /// The platform's bus for a service: the shared store named by `bus.url` (default: `<data.dir>/bus.sqlite`,
    /// or schema `bourse_bus` on the server of a PostgreSQL `database.url`), opened once per process and migrated
    /// (``BusMigrations/store``), publishing through the outbox of `database`, the service's own database (whose
    /// migrations must include ``BusMigrations/local``). Run ``services`` as background services.
    public static func open(configuration: Configuration, database: Database, registry: PrometheusCollectorRegistry,
                            logger: Logger) async throws -> EventBus {
        let url = storeURL(configuration: configuration)
        let store = try await BusStores.shared.open(url: url, dataDir: configuration.string(.dataDir) ?? "./data", logger: logger)
        var bus = EventBus(store: store, outbox: database, registry: registry, logger: logger)
        bus.listenURLs = ListenURLs(store: store.engine == .postgres ? url : nil,
                                    outbox: database.engine == .postgres ? configuration.string(.databaseURL) : nil)
        return bus
    }

    /// `bus.url`, else the PostgreSQL `database.url` (the store then lives in schema `bourse_bus`), else `nil`
    /// (`<data.dir>/bus.sqlite`).
    static func storeURL(configuration: Configuration) -> String? {
        if let url = configuration.string(.busURL) { return url }
        if let url = configuration.string(.databaseURL), url.hasPrefix("postgres") { return url }
        return nil
    }

    /// The bus's own long-lived work: the relay and, on PostgreSQL, the `LISTEN` connections. Put them before
    /// the consumers in `backgroundServices`.
    public var services: [any Service] {
        var services: [any Service] = []
        if let relay { services.append(relay) }
        if let url = listenURLs.store {
            services.append(BusListener(url: url, listenChannel: BusListener.channel, wakeups: wakeups, logger: logger))
        }
        if let url = listenURLs.outbox {
            services.append(BusListener(url: url, listenChannel: BusListener.outboxChannel, wakeups: relayWakeups, logger: logger))
        }
        return services
    }
}

/// Where the bus's `LISTEN` connections go (PostgreSQL only).
struct ListenURLs: Sendable {
    var store: String?
    var outbox: String?
}

/// The bus stores of this process, one per URL, shared by every bus in it and closed by ``closeAll()``
/// (`ServiceHost.run` does so at exit; tests call it when done).
public final class BusStores: Sendable {
    public static let shared = BusStores()
    private let opened = Mutex<[String: Task<Database, any Error>]>([:])

    /// The store at `url` (`nil`: `<dataDir>/bus.sqlite`), opened and migrated at the first call.
    public func open(url: String?, dataDir: String, logger: Logger) async throws -> Database {
        let key = url ?? URL(fileURLWithPath: dataDir).appendingPathComponent("bus.sqlite").path
        let task = opened.withLock { opened in
            if let task = opened[key] { return task }
            // Memoises one open per URL for concurrent callers; it ends as soon as the store is open.
            let task = Task {
                let database = try await Database.open(url: url, dataDir: dataDir, service: "bus", logger: logger)
                do {
                    try await Migrator(database: database, migrations: BusMigrations.store).up()
                } catch {
                    await database.close()
                    throw error
                }
                return database
            }
            opened[key] = task
            return task
        }
        do {
            return try await task.value
        } catch {
            _ = opened.withLock { $0.removeValue(forKey: key) }
            throw error
        }
    }

    /// Closes the store opened for `url` and `dataDir`, if any (for tests that open services one after another).
    public func close(url: String?, dataDir: String) async {
        let key = url ?? URL(fileURLWithPath: dataDir).appendingPathComponent("bus.sqlite").path
        let task = opened.withLock { $0.removeValue(forKey: key) }
        await (try? task?.value)?.close()
    }

    /// Closes every store opened so far.
    public func closeAll() async {
        let tasks = opened.withLock { opened in
            defer { opened.removeAll() }
            return Array(opened.values)
        }
        for task in tasks { await (try? task.value)?.close() }
    }
}
