import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// The `notifications` service: alerts on symbols' bars (Quant's alert conditions over expressions), evaluated on
/// each `data.bars.stored` (consumer group `notifications`), and the in-app inbox. Each trigger is an inbox entry and
/// an `alerts.triggered` event through the outbox, in the transaction that records the alert's new state.
public struct NotificationsService: BourseService {
    public static let descriptor = ServiceDescriptor(
        name: "notifications", migrations: NotificationsMigrations.all,
        summary: "Alerts on bars and indicators (TradingView's conditions), evaluated on new bars; the in-app inbox.",
        endpoints: NotificationsContract.all, usesBus: true)

    public let bus: EventBus
    let store: AlertStore
    let evaluation: AlertEvaluation
    let peers: PeerClient
    let logger: Logger

    public init(environment: ServiceEnvironment) async throws {
        let database = environment.requiredDatabase
        bus = try await EventBus.open(configuration: environment.configuration, database: database,
                                      registry: environment.metrics.registry, logger: environment.logger)
        store = AlertStore(database: database, bus: bus)
        peers = environment.peers
        logger = environment.logger
        evaluation = AlertEvaluation(store: store, peers: environment.peers, logger: environment.logger)
    }

    public func addRoutes(to router: ServiceRouter) {
        NotificationsRoutes(store: store, peers: peers).add(to: router)
        bus.addStatusRoute(to: router)
    }

    public var backgroundServices: [any Service] { bus.services + [barsConsumer] }

    /// The consumer of `data.bars.stored` (group `notifications`): evaluates the symbol's active alerts.
    public var barsConsumer: BusConsumer {
        let evaluation = self.evaluation
        return bus.subscribe(topic: "data.bars.stored", group: "notifications", logger: logger) { delivery in
            struct Notice: Decodable { var symbol: String }
            try await evaluation.barsStored(symbol: try delivery.event.decode(Notice.self).symbol.uppercased())
        }
    }
}
