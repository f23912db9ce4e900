import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// The `strategy` service's configuration keys.
public enum StrategyKeys {
    public static let workerConcurrency = ConfigKey("strategy.worker_concurrency", .integer(1...64), default: "2",
                                                    help: "Backtests and optimisations run at once by one strategy process.")
    public static let runLease = ConfigKey("strategy.run_lease_seconds", .seconds(1...86_400), default: "120",
                                           help: "How long a worker owns a claimed run between progress reports; after that another worker resumes it.")
    public static let pollInterval = ConfigKey("strategy.poll_seconds", .seconds(0.01...60), default: "0.5",
                                               help: "How often the worker looks for runs queued by other processes.")

    public static let all: [ConfigKey] = [workerConcurrency, runLease, pollInterval]
}

/// The `strategy` service: strategies (built-ins with parameters, or rules in the expression language), backtests
/// and optimisations as persisted jobs run by the engine in `Quant` over bars from `data`, and live strategies that
/// publish `strategy.signal.generated` and trade paper accounts. Consumes `data.bars.stored` (group `strategy`).
public struct StrategyService: BourseService {
    public static let descriptor = ServiceDescriptor(
        name: "strategy", keys: StrategyKeys.all, migrations: StrategyMigrations.all,
        summary: "Strategies, backtests, optimisation with walk-forward, DSR and PBO, live signals and paper trading.",
        endpoints: StrategyContract.all, usesBus: true)

    /// The platform's shared bus (the store of `bus.url`, publishing through this service's outbox).
    public let bus: EventBus
    let strategyRoutes: StrategyRoutes
    let runRoutes: RunRoutes
    let worker: RunWorker
    let live: LiveEvaluator
    let logger: Logger

    public init(environment: ServiceEnvironment) async throws {
        let database = environment.requiredDatabase
        let configuration = environment.configuration
        let bus = try await EventBus.open(configuration: configuration, database: database,
                                          registry: environment.metrics.registry, logger: environment.logger)
        let strategies = StrategyStore(database: database)
        let runs = RunStore(database: database)
        let signals = SignalStore(database: database, bus: bus)
        let bars = BarsClient(peers: environment.peers)
        let wakeups = WakeSignal()
        self.bus = bus
        self.logger = environment.logger
        self.strategyRoutes = StrategyRoutes(store: strategies, signals: signals, bars: bars)
        self.runRoutes = RunRoutes(strategies: strategies, runs: runs, bars: bars, wakeups: wakeups)
        self.worker = RunWorker(runs: runs, bars: bars, wakeups: wakeups, concurrency: configuration.int(StrategyKeys.workerConcurrency),
                                lease: configuration.seconds(StrategyKeys.runLease), pollInterval: configuration.seconds(StrategyKeys.pollInterval),
                                logger: environment.logger)
        self.live = LiveEvaluator(strategies: strategies, signals: signals, bars: bars, logger: environment.logger)
    }

    public func addRoutes(to router: ServiceRouter) {
        strategyRoutes.add(to: router)
        runRoutes.add(to: router)
        bus.addStatusRoute(to: router)
    }

    /// The bus's relay and listeners first (they outlive the others at shutdown), then the run worker and the consumer.
    public var backgroundServices: [any Service] {
        bus.services + [worker, barsConsumer]
    }

    /// The consumer of `data.bars.stored` (group `strategy`): evaluates the live strategies trading the symbol.
    public var barsConsumer: BusConsumer {
        let live = self.live
        return bus.subscribe(topic: "data.bars.stored", group: "strategy", logger: logger) { delivery in
            let notice = try delivery.event.decode(BarsStoredNotice.self)
            try await live.barsStored(symbol: notice.symbol.uppercased())
        }
    }
}
