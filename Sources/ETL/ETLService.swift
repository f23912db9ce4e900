import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// The `etl` service: collects daily series from providers, uploads and a synthetic generator; archives every
/// payload as received; validates and measures each series; publishes the bars on `etl.bars.collected` through
/// its outbox. Jobs live in its database and are run by a background worker, so they survive restarts.
public struct ETLService: BourseService {
    public static let descriptor = ServiceDescriptor(
        name: "etl", keys: ETLKeys.all, migrations: ETLMigrations.all,
        summary: "Ingestion jobs, connectors (Stooq, Yahoo, Alpha Vantage, FRED, World Bank, CSV, synthetic), validation, raw archive.",
        endpoints: ETLContract.all, usesBus: true)

    /// The platform's shared bus (the store of `bus.url`, publishing through this service's outbox).
    public let bus: EventBus
    let repository: JobStore
    let routes: ETLRoutes
    let worker: JobWorker

    public init(environment: ServiceEnvironment) async throws {
        let database = environment.requiredDatabase
        let settings = try ETLSettings(environment.configuration)
        let bus = try await EventBus.open(configuration: environment.configuration, database: database,
                                          registry: environment.metrics.registry, logger: environment.logger)
        let repository = JobStore(database: database)
        let archive = RawArchive(dataDir: settings.dataDir)
        let wakeups = JobWakeups()
        let connectors = ConnectorSet(configuration: environment.configuration, client: environment.client, retry: settings.retry,
                                      logger: environment.logger)
        let runner = JobRunner(repository: repository, connectors: connectors, archive: archive, bus: bus, settings: settings,
                               metrics: ETLMetrics(registry: environment.metrics.registry), logger: environment.logger)
        self.bus = bus
        self.repository = repository
        self.routes = ETLRoutes(repository: repository, archive: archive, configuration: environment.configuration, settings: settings,
                                wakeups: wakeups)
        self.worker = JobWorker(repository: repository, runner: runner, wakeups: wakeups, concurrency: settings.concurrency,
                                lease: settings.itemLease, pollInterval: settings.pollInterval, logger: environment.logger)
    }

    public func addRoutes(to router: ServiceRouter) {
        routes.add(to: router)
        bus.addStatusRoute(to: router)
    }

    /// The bus's relay and listeners first (they outlive the worker at shutdown), then the job worker.
    public var backgroundServices: [any Service] {
        bus.services + [worker]
    }
}
