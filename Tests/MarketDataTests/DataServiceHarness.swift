import BourseTesting
import Foundation
import Hummingbird
import ServiceKit
@testable import MarketData

/// The `data` service built as `bourse serve data` builds it, on a fresh database of `engine`, with its shared bus
/// store (`<data.dir>/bus.sqlite`, or schema `bourse_bus` next to the service's PostgreSQL schema) closed afterwards.
enum DataServiceHarness {
    struct Setup: Sendable {
        let databaseURL: String
        let dataDir: String
        var settings: [String: String] { ["database.url": databaseURL, "data.dir": dataDir] }
        /// The bus store's URL as the service resolves it (`nil`: the SQLite file under the data dir).
        var busURL: String? { databaseURL.hasPrefix("postgres") ? databaseURL : nil }
    }

    static func setup(_ engine: Database.Engine) async throws -> Setup {
        Setup(databaseURL: try await TestSupport.databaseURL(engine), dataDir: TestSupport.temporaryDirectory())
    }

    static func with<R>(_ setup: Setup,
                        _ body: (MarketDataService, ServiceEnvironment, Application<RouterResponder<ServiceRequestContext>>) async throws -> R) async throws -> R {
        do {
            let result = try await TestSupport.withService(MarketDataService.self, settings: setup.settings, body)
            await BusStores.shared.close(url: setup.busURL, dataDir: setup.dataDir)
            return result
        } catch {
            await BusStores.shared.close(url: setup.busURL, dataDir: setup.dataDir)
            throw error
        }
    }

    static func with<R>(_ engine: Database.Engine,
                        _ body: (MarketDataService, ServiceEnvironment, Application<RouterResponder<ServiceRequestContext>>) async throws -> R) async throws -> R {
        try await with(try await setup(engine), body)
    }
}
