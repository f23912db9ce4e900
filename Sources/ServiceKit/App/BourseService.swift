import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// What distinguishes one Bourse service from another; everything else (middleware, health, metrics,
/// config, storage, registration, shutdown) comes from ServiceKit.
public struct ServiceDescriptor: Sendable {
    /// The URL segment and registry name (`data`, `gateway`, `financial-analysis`).
    public let name: String
    public let version: String
    /// The port used when `http.port` is not set (0: any free port).
    public let defaultPort: Int
    /// Keys beyond ``ConfigKey/common``.
    public let keys: [ConfigKey]
    /// Versioned schema of the service's own database; a service without migrations opens no database.
    public let migrations: [Migration]
    /// The service's own operations (under `/api/v1/<name>`, plus any status route of its own); the common
    /// endpoints (``CommonEndpoints``) are added by ServiceKit. The one declaration of each route's method, path,
    /// access rule and OpenAPI operation.
    public let endpoints: [Endpoint]
    public let summary: String
    /// Whether the service is on the event bus; if so it serves `/api/status/bus` (``EventBus/addStatusRoute(to:)``)
    /// and its contract includes it.
    public let usesBus: Bool
    /// The edge service (the gateway) takes requests from outside; every other service only answers requests
    /// carrying the internal credential when `internal.secret` is set.
    public let isEdge: Bool
    /// Who may call which route: one rule per endpoint, as declared (a path no endpoint declares needs `admin`).
    public let access: AccessPolicy

    public init(name: String, version: String = BourseVersion.current, defaultPort: Int = 0, keys: [ConfigKey] = [],
                migrations: [Migration] = [], summary: String, endpoints: [Endpoint],
                usesBus: Bool = false, isEdge: Bool = false) {
        self.name = name
        self.version = version
        self.defaultPort = defaultPort
        self.keys = keys
        self.migrations = migrations
        self.endpoints = endpoints
        self.summary = summary
        self.usesBus = usesBus
        self.isEdge = isEdge
        self.access = AccessPolicy(endpoints: endpoints)
    }

    /// Every key this service reads, the common ones first.
    public var allKeys: [ConfigKey] { ConfigKey.common + keys }

    /// Every operation the service serves: its own endpoints and the common ones.
    public var contract: [Endpoint] { endpoints + CommonEndpoints.all(usesBus: usesBus) }
}

public enum BourseVersion {
    public static let current = "0.1.0"
}

/// Everything a service needs to build its routes, made by ServiceKit from the configuration.
public struct ServiceEnvironment: Sendable {
    public let descriptor: ServiceDescriptor
    public let configuration: Configuration
    public let logger: Logger
    /// The service's own database, migrated; `nil` for a service without migrations.
    public let database: Database?
    public let client: ServiceClient
    /// Calls to other services by name (instances discovered from the gateway when `gateway.url` is set).
    public let peers: PeerClient
    public let metrics: HTTPMetrics
    public let instanceID: String
    /// Signs calls to peers and, on non-edge services, is required on incoming requests; `nil` when
    /// `internal.secret` is not set (then nothing is required — fine on a laptop, not in a shared network).
    public let internalCredential: InternalCredential?

    /// The service's database, for a service that declares migrations (and so always has one).
    public var requiredDatabase: Database {
        guard let database else { preconditionFailure("\(descriptor.name) declares no migrations, so it has no database") }
        return database
    }
}

/// One Bourse service: its routes, its readiness checks and its background work.
public protocol BourseService: Sendable {
    static var descriptor: ServiceDescriptor { get }
    init(environment: ServiceEnvironment) async throws
    /// Adds middleware that must run before every route, the common ones (`/health`, `/metrics`, …) included
    /// (the gateway's authentication); called before any route is added.
    func addMiddleware(to router: ServiceRouter)
    /// Adds the service's routes (full paths, under `/api/v1/<name>`) and any middleware of its own.
    func addRoutes(to router: ServiceRouter)
    /// Checks beyond the database, which ServiceKit checks itself.
    var healthChecks: [HealthCheck] { get }
    /// Long-lived work (sweepers, consumers), run and shut down with the HTTP server.
    var backgroundServices: [any Service] { get }
    /// Channel handlers added to every HTTP/1 connection between the codec and the router (the gateway's
    /// event-loop proxy); `nil` for none.
    var channelHandlers: (@Sendable () -> [any RemovableChannelHandler])? { get }
}

extension BourseService {
    public func addMiddleware(to router: ServiceRouter) {}
    public var healthChecks: [HealthCheck] { [] }
    public var backgroundServices: [any Service] { [] }
    public var channelHandlers: (@Sendable () -> [any RemovableChannelHandler])? { nil }
}
