import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// The gateway: service registry, the streaming reverse proxy in front of every service, and (later) the
/// dashboard. It owns no database: registrations are leases that instances renew.
public struct GatewayService: BourseService {
    public static let instanceTTL = ConfigKey(
        "gateway.instance_ttl_seconds", .seconds(0.5...3600), default: "10",
        help: "Lease of a registration; an instance without a heartbeat for this long is dropped.")
    public static let proxyTimeout = ConfigKey(
        "gateway.proxy_timeout_seconds", .seconds(0.1...3600), default: "30",
        help: "Longest wait for an upstream answer before 504.")
    public static let knownServices = ConfigKey(
        "gateway.known_services", .string, default: "",
        help: "Comma-separated services that exist before they register (503 rather than 404 until then).")

    public static let descriptor = ServiceDescriptor(
        name: "gateway", defaultPort: 8080, keys: [instanceTTL, proxyTimeout, knownServices],
        summary: "Service registry and reverse proxy in front of every Bourse service.",
        openAPIPaths: GatewayOpenAPI.paths)

    public let registry: ServiceRegistry
    let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) async throws {
        let config = environment.configuration
        let known = (config.string(Self.knownServices) ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.registry = ServiceRegistry(ttl: config.seconds(Self.instanceTTL), knownServices: known)
        self.environment = environment
    }

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        router.add(middleware: ProxyMiddleware(registry: registry, client: environment.client,
                                               timeout: environment.configuration.seconds(Self.proxyTimeout)))
        RegistryRoutes(registry: registry).add(to: router)
    }

    public var backgroundServices: [any Service] {
        [RegistrySweeper(registry: registry, logger: environment.logger)]
    }
}
