import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// The `data` service: owns instruments, daily bars, fundamentals and corporate actions; stores the bars the
/// `etl` service publishes on `etl.bars.collected` and announces them on `data.bars.stored`.
public struct MarketDataService: BourseService {
    public static let descriptor = ServiceDescriptor(
        name: "data", migrations: MarketDataMigrations.all,
        summary: "Instruments, OHLCV bars, fundamentals and corporate actions.",
        endpoints: DataContract.all, usesBus: true)

    let instruments: InstrumentStore
    public let bars: BarStore
    let reference: ReferenceStore
    /// Encoded bar responses, per process (see ``BarResponseCache``).
    let responses = BarResponseCache()
    /// The platform's shared bus (the store of `bus.url`, publishing through this service's outbox).
    public let bus: EventBus
    let logger: Logger

    public init(environment: ServiceEnvironment) async throws {
        let database = environment.requiredDatabase
        self.instruments = InstrumentStore(database: database)
        self.bars = BarStore(database: database)
        self.reference = ReferenceStore(database: database)
        self.logger = environment.logger
        self.bus = try await EventBus.open(configuration: environment.configuration, database: database,
                                           registry: environment.metrics.registry, logger: environment.logger)
    }

    public func addRoutes(to router: ServiceRouter) {
        InstrumentRoutes(repository: instruments).add(to: router)
        MarketRoutes(bars: bars, instruments: instruments, cache: responses).add(to: router)
        ReferenceRoutes(repository: reference).add(to: router)
        QualityRoutes(bars: bars).add(to: router)
        bus.addStatusRoute(to: router)
    }

    /// The bus's relay and listeners first (they outlive the consumer at shutdown), then the consumer.
    public var backgroundServices: [any Service] {
        bus.services + [barsConsumer]
    }

    /// The consumer of `etl.bars.collected` (group `data`).
    public var barsConsumer: BusConsumer {
        let consumer = BarsCollectedConsumer(database: bars.database, bus: bus)
        return bus.subscribe(topic: BarsCollectedEvent.topic, group: BarsCollectedConsumer.group, logger: logger) { delivery in
            try await consumer.handle(delivery)
        }
    }
}
