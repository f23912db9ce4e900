import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// The `portfolio` service: owns portfolios, their ledgers, saved CSV mappings, target weights and X-ray settings;
/// computes positions, performance, allocation, rebalancing and X-ray with the accounting engine in `Quant`
/// over closes from the `data` service; publishes `portfolio.transaction.recorded` and consumes
/// `data.bars.stored` (group `portfolio`) to drop cached closes.
public struct PortfolioService: BourseService {
    public static let descriptor = ServiceDescriptor(
        name: "portfolio", migrations: PortfolioMigrations.all,
        summary: "Portfolios, transactions and CSV import, positions, performance (TWR, XIRR), allocation, rebalancing, X-ray.",
        endpoints: PortfolioContract.all, usesBus: true)

    let store: PortfolioStore
    let market: MarketClient
    /// The platform's shared bus (the store of `bus.url`, publishing through this service's outbox).
    public let bus: EventBus
    let logger: Logger

    public init(environment: ServiceEnvironment) async throws {
        let database = environment.requiredDatabase
        self.logger = environment.logger
        self.bus = try await EventBus.open(configuration: environment.configuration, database: database,
                                           registry: environment.metrics.registry, logger: environment.logger)
        self.store = PortfolioStore(database: database, bus: bus)
        self.market = MarketClient(peers: environment.peers, cache: MarketCache())
    }

    public func addRoutes(to router: ServiceRouter) {
        PortfolioRoutes(store: store, market: market).add(to: router)
        AnalyticsRoutes(store: store, market: market).add(to: router)
        bus.addStatusRoute(to: router)
    }

    /// The bus's relay and listeners first (they outlive the consumer at shutdown), then the consumer.
    public var backgroundServices: [any Service] {
        bus.services + [barsConsumer]
    }

    /// The consumer of `data.bars.stored` (group `portfolio`): drops the named symbol's cached closes.
    public var barsConsumer: BusConsumer {
        let cache = market.cache
        return bus.subscribe(topic: "data.bars.stored", group: "portfolio", logger: logger) { delivery in
            let notice = try delivery.event.decode(BarsStoredNotice.self)
            await cache.invalidate(notice.symbol.uppercased())
        }
    }
}
