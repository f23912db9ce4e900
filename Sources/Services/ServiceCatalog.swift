import Analysis
import Auth
import ETL
import Gateway
import MarketData
import Notifications
import Portfolio
import Strategy
import ServiceKit

/// Every service this binary can run, in start-up order (the gateway first): the one list that the CLI
/// (`bourse up`, `serve`, `migrate`, `openapi`), CI's contract checks (`bourse openapi --list`) and the contract
/// tests read. A new service is added here and nowhere else.
public enum ServiceCatalog {
    public static let all: [any BourseService.Type] = [
        GatewayService.self, AuthService.self, MarketDataService.self, PortfolioService.self, StrategyService.self, AnalysisService.self, NotificationsService.self, ETLService.self,
    ]

    public static var names: [String] { all.map { $0.descriptor.name } }

    public static func named(_ name: String) -> (any BourseService.Type)? {
        all.first { $0.descriptor.name == name }
    }
}
