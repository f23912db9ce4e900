import Auth
import ETL
import Gateway
import MarketData
import ServiceKit

/// Every service this binary can run, in start-up order (the gateway first).
enum ServiceCatalog {
    static let all: [any BourseService.Type] = [GatewayService.self, AuthService.self, MarketDataService.self, ETLService.self]

    static var names: [String] { all.map { $0.descriptor.name } }

    static func named(_ name: String) -> (any BourseService.Type)? {
        all.first { $0.descriptor.name == name }
    }
}
