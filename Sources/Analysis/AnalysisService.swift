import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// The `analysis` service's configuration keys.
public enum AnalysisKeys {
    public static let cacheTTL = ConfigKey("analysis.cache_ttl_seconds", .seconds(1...86_400), default: "300",
                                           help: "How long a symbol's bars and answers computed from them are reused when no data.bars.stored event names it.")
    public static let cacheEntries = ConfigKey("analysis.cache_entries", .integer(100...1_000_000), default: "20000",
                                               help: "Computed answers kept in memory (least recently used out first).")

    public static let all: [ConfigKey] = [cacheTTL, cacheEntries]
}

/// The `analysis` service: indicators, metrics, ratios, company analysis, comparisons, screens and SVG charts over
/// the `data` service's bars, instruments and fundamentals. It owns nothing durable but saved screens; answers are
/// cached per symbol's bar version and dropped when `data.bars.stored` names the symbol (consumer group `analysis`).
public struct AnalysisService: BourseService {
    public static let descriptor = ServiceDescriptor(
        name: "analysis", keys: AnalysisKeys.all, migrations: AnalysisMigrations.all + BusMigrations.local,
        summary: "Indicators, metrics, ratios, company analysis, comparison, screening and SVG charts over stored data.",
        endpoints: AnalysisContract.all, usesBus: true)

    public let bus: EventBus
    let cache: AnalysisCache
    let kit: AnalysisKit
    let screens: ScreenStore
    let logger: Logger

    public init(environment: ServiceEnvironment) async throws {
        let database = environment.requiredDatabase
        let configuration = environment.configuration
        self.bus = try await EventBus.open(configuration: configuration, database: database,
                                           registry: environment.metrics.registry, logger: environment.logger)
        self.cache = AnalysisCache(ttl: configuration.seconds(AnalysisKeys.cacheTTL), capacity: configuration.int(AnalysisKeys.cacheEntries))
        self.kit = AnalysisKit(market: MarketSource(peers: environment.peers, cache: cache))
        self.screens = ScreenStore(database: database)
        self.logger = environment.logger
    }

    public func addRoutes(to router: ServiceRouter) {
        SeriesRoutes(kit: kit).add(to: router)
        CompanyRoutes(kit: kit).add(to: router)
        ScreenRoutes(kit: kit, store: screens).add(to: router)
        ChartRoutes(kit: kit).add(to: router)
        let cache = self.cache
        router.on(AnalysisContract.cacheStatus) { _, _ in
            let status = await cache.status
            return try JSONResponse(encoding: CacheStatus(bars: status.bars, answers: status.answers, invalidations: status.invalidations,
                                                          kinds: status.counters.mapValues(CacheStatus.Kind.init)))
        }
        bus.addStatusRoute(to: router)
    }

    struct CacheStatus: Encodable {
        struct Kind: Encodable {
            var hits: Int
            var misses: Int
            var hitRatio: Double?
            init(_ c: AnalysisCache.Counter) {
                (hits, misses) = (c.hits, c.misses)
                hitRatio = c.hits + c.misses == 0 ? nil : Double(c.hits) / Double(c.hits + c.misses)
            }
            enum CodingKeys: String, CodingKey { case hits, misses, hitRatio = "hit_ratio" }
        }
        var bars: Int
        var answers: Int
        var invalidations: Int
        var kinds: [String: Kind]
    }

    public var backgroundServices: [any Service] { bus.services + [barsConsumer] }

    /// The consumer of `data.bars.stored` (group `analysis`): drops the symbol's cached bars and answers.
    public var barsConsumer: BusConsumer {
        let cache = self.cache
        return bus.subscribe(topic: "data.bars.stored", group: "analysis", logger: logger) { delivery in
            struct Notice: Decodable { var symbol: String }
            await cache.invalidate(try delivery.event.decode(Notice.self).symbol.uppercased())
        }
    }
}
