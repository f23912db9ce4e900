import Hummingbird
import ServiceKit

/// The `data` service: owns instruments (and, with the pipeline, bars, fundamentals and corporate actions).
public struct MarketDataService: BourseService {
    public static let descriptor = ServiceDescriptor(
        name: "data", migrations: MarketDataMigrations.all,
        summary: "Instruments, OHLCV bars, fundamentals and corporate actions.",
        openAPIPaths: MarketDataOpenAPI.paths, openAPISchemas: MarketDataOpenAPI.schemas)

    let instruments: InstrumentRepository
    public let bars: BarRepository

    public init(environment: ServiceEnvironment) async throws {
        guard let database = environment.database else { preconditionFailure("the data service declares migrations, so it has a database") }
        self.instruments = InstrumentRepository(database: database)
        self.bars = BarRepository(database: database)
    }

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        let group = router.group("/api/v1/data")
        InstrumentRoutes(repository: instruments).add(to: group)
        MarketRoutes(bars: bars, instruments: instruments).add(to: group)
    }
}
