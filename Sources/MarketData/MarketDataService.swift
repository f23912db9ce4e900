import Hummingbird
import ServiceKit

/// The `data` service: owns instruments (and, with the pipeline, bars, fundamentals and corporate actions).
public struct MarketDataService: BourseService {
    public static let descriptor = ServiceDescriptor(
        name: "data", migrations: MarketDataMigrations.all,
        summary: "Instruments, OHLCV bars, fundamentals and corporate actions.",
        openAPIPaths: MarketDataOpenAPI.paths, openAPISchemas: MarketDataOpenAPI.schemas)

    let instruments: InstrumentRepository

    public init(environment: ServiceEnvironment) async throws {
        guard let database = environment.database else { preconditionFailure("the data service declares migrations, so it has a database") }
        self.instruments = InstrumentRepository(database: database)
    }

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        InstrumentRoutes(repository: instruments).add(to: router.group("/api/v1/data"))
    }
}
