import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Builds and runs one Bourse service process: configuration, logging, database and migrations,
/// the shared middleware and endpoints, registration with the gateway, and graceful shutdown.
public enum ServiceHost {
    /// Reads the configuration of `S` from command-line overrides and the environment (fails on a bad value).
    public static func configuration<S: BourseService>(
        for service: S.Type, commandLine: [String: String], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> Configuration {
        var commandLine = commandLine
        if commandLine[ConfigKey.httpPort.name] == nil, environment[ConfigKey.httpPort.environmentVariable] == nil {
            commandLine[ConfigKey.httpPort.name] = String(S.descriptor.defaultPort)
        }
        return try Configuration(keys: S.descriptor.allKeys, commandLine: commandLine, environment: environment)
    }

    /// Opens (and migrates) the service's database, or `nil` for a service without migrations.
    public static func openDatabase(_ descriptor: ServiceDescriptor, configuration: Configuration, logger: Logger) async throws -> Database? {
        guard !descriptor.migrations.isEmpty else { return nil }
        let database = try await Database.open(
            url: configuration.string(.databaseURL), dataDir: configuration.string(.dataDir) ?? "./data",
            service: descriptor.name, logger: logger)
        do {
            let applied = try await Migrator(database: database, migrations: descriptor.migrations).up()
            if !applied.isEmpty { logger.info("applied migrations", metadata: ["versions": .string(applied.map(String.init).joined(separator: ","))]) }
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    /// The router with every shared middleware and endpoint plus the service's own routes.
    /// - Parameter registration: when the service registers with a gateway, `/health/detailed` also reports whether
    ///   its lease was renewed recently (three heartbeat intervals).
    public static func buildRouter<S: BourseService>(_ service: S, environment: ServiceEnvironment,
                                                     registration: RegistrationStatus? = nil) -> ServiceRouter {
        let router = ServiceRouter(Router(context: ServiceRequestContext.self))
        router.add(middleware: RequestIdentityMiddleware())
        router.add(middleware: ObservabilityMiddleware(metrics: environment.metrics))
        router.add(middleware: ProblemMiddleware())
        if !environment.descriptor.isEdge {
            router.add(middleware: InternalAuthMiddleware(credential: environment.internalCredential, policy: environment.descriptor.access))
        }
        router.add(middleware: BodyLimitMiddleware(limit: environment.configuration.int(.httpMaxBodyBytes)))
        router.add(middleware: DeadlineMiddleware())
        service.addMiddleware(to: router)
        var checks = service.healthChecks
        if let database = environment.database {
            checks.insert(HealthCheck("database") { try await database.ping() }, at: 0)
        }
        if let registration {
            let window = environment.configuration.seconds(.heartbeatInterval) * 3
            checks.append(HealthCheck("gateway") { try registration.check(window: window) })
        }
        CommonRoutes.add(to: router, environment: environment, checks: checks)
        service.addRoutes(to: router)
        return router
    }

    /// Makes the environment of `S` (database opened and migrated). The caller owns `client` and the database.
    public static func makeEnvironment<S: BourseService>(
        for type: S.Type, configuration: Configuration, client: ServiceClient, logger: Logger
    ) async throws -> ServiceEnvironment {
        let descriptor = S.descriptor
        let database = try await openDatabase(descriptor, configuration: configuration, logger: logger)
        let instanceID = configuration.string(.instanceID) ?? "\(descriptor.name)-\(ProcessInfo.processInfo.processIdentifier)"
        let metrics = HTTPMetrics(service: descriptor.name)
        let routing = RoutingMetrics(registry: metrics.registry, origin: descriptor.name)
        let pool = UpstreamPool { routing.observe($0) }
        let credential = configuration.string(.internalSecret).flatMap { $0.isEmpty ? nil : InternalCredential(secret: $0) }
        let peers = PeerClient(caller: UpstreamCaller(pool: pool, http: client.http, budget: RetryBudget(ratio: 0.2), metrics: routing),
                               credential: credential)
        return ServiceEnvironment(descriptor: descriptor, configuration: configuration, logger: logger, database: database,
                                  client: client, peers: peers, metrics: metrics, instanceID: instanceID, internalCredential: credential)
    }

    /// Runs service `S` until SIGTERM/SIGINT (or the supervisor's death): stops accepting, drains in-flight
    /// requests, deregisters, closes the database and returns.
    public static func run<S: BourseService>(_ type: S.Type, configuration: Configuration) async throws {
        let descriptor = S.descriptor
        LoggingSetup.bootstrap(format: configuration.string(.logFormat) ?? "json",
                               level: Logger.Level(rawValue: configuration.string(.logLevel) ?? "info") ?? .info)
        var logger = Logger(label: descriptor.name)
        logger.logLevel = Logger.Level(rawValue: configuration.string(.logLevel) ?? "info") ?? .info
        let httpClient = ServiceClient.makeHTTPClient()
        let client = ServiceClient(http: httpClient)
        let environment: ServiceEnvironment
        do {
            environment = try await makeEnvironment(for: S.self, configuration: configuration, client: client, logger: logger)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        logger[metadataKey: "instance_id"] = .string(environment.instanceID)
        let service = try await S(environment: environment)
        let registrationStatus = configuration.string(.gatewayURL) == nil ? nil : RegistrationStatus()
        let router = buildRouter(service, environment: environment, registration: registrationStatus)
        let address = BoundAddress()
        let host = configuration.string(.httpHost) ?? "127.0.0.1"
        let serverLogger = logger
        let handlers = service.channelHandlers
        let app = Application(
            router: router.router,
            server: handlers.map { make in .http1(configuration: .init(additionalChannelHandlers: make())) } ?? .http1(),
            configuration: .init(address: .hostname(host, port: configuration.int(.httpPort)), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                address.publish(port: port)
                serverLogger.info("listening", metadata: ["url": .string("http://\(host):\(port)")])
            },
            logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: HTTPClientService(client: httpClient)),
        ]
        services += service.backgroundServices.map { .init(service: $0) }
        services.append(.init(service: app))
        if let gateway = configuration.string(.gatewayURL) {
            let advertise = configuration.string(.advertiseURL)
            let registration = RegistrationService(
                client: client, gatewayURL: gateway, address: address, credential: environment.internalCredential,
                status: registrationStatus ?? RegistrationStatus(),
                interval: configuration.seconds(.heartbeatInterval), logger: logger
            ) { port in
                RegistrationRequest(service: descriptor.name, instanceID: environment.instanceID,
                                    url: advertise ?? "http://\(host):\(port)", version: descriptor.version, access: descriptor.access)
            }
            services.append(.init(service: registration))
            if descriptor.name != "gateway" {
                services.append(.init(service: ServiceDirectory(pool: environment.peers.caller.pool, client: client, gatewayURL: gateway,
                                                                interval: configuration.seconds(.heartbeatInterval), logger: logger,
                                                                credential: environment.internalCredential)))
            }
        }
        if environment.internalCredential == nil && !descriptor.isEdge {
            logger.notice("internal.secret is not set: this service answers requests that did not come through the gateway")
        }
        let parent = configuration.int(.parentPID)
        if parent > 0 {
            services.append(.init(service: ParentWatchdog(parentPID: Int32(parent)), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.seconds(.shutdownGrace)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            await environment.database?.close()
            await BusStores.shared.closeAll()
            throw error
        }
        await environment.database?.close()
        await BusStores.shared.closeAll()  // the shared bus store, if the service opened one
        logger.info("stopped")
    }
}
