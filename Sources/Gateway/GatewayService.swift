import Hummingbird
import Logging
import NIOCore
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The gateway: service registry, the streaming reverse proxy in front of every service (balancing, circuit
/// breaking, outlier ejection, retries, deadlines, active health checks), and later the dashboard. It owns no
/// database: registrations are leases that instances renew.
public struct GatewayService: BourseService {
    public static let instanceTTL = ConfigKey(
        "gateway.instance_ttl_seconds", .seconds(0.5...3600), default: "10",
        help: "Lease of a registration; an instance without a heartbeat for this long is dropped.")
    public static let proxyTimeout = ConfigKey(
        "gateway.proxy_timeout_seconds", .seconds(0.1...3600), default: "30",
        help: "Default deadline of a proxied request, retries included; then 504.")
    public static let maxTimeout = ConfigKey(
        "gateway.max_timeout_seconds", .seconds(0.1...3600), default: "300",
        help: "Largest deadline a client may ask for with the `X-Bourse-Timeout-Ms` header.")
    public static let knownServices = ConfigKey(
        "gateway.known_services", .string, default: "",
        help: "Comma-separated services that exist before they register (503 rather than 404 until then).")
    public static let balancing = ConfigKey(
        "gateway.balancing", .string, default: "round-robin",
        help: "`round-robin`, `weighted` or `least-outstanding`, or per service: `data=least-outstanding,*=round-robin`.")
    public static let retryBudget = ConfigKey(
        "gateway.retry_budget_ratio", .number(0...1), default: "0.2",
        help: "Retries may be at most this share of requests.")
    public static let healthInterval = ConfigKey(
        "gateway.health_check_interval_seconds", .seconds(0...3600), default: "2",
        help: "Active health check of every instance (`/health`); 0 turns it off.")
    public static let breakerWindow = ConfigKey(
        "gateway.breaker_window", .integer(1...10_000), default: "20", help: "Calls in each instance's circuit-breaker window.")
    public static let breakerMinimumCalls = ConfigKey(
        "gateway.breaker_minimum_calls", .integer(1...10_000), default: "10", help: "Calls in the window before the breaker may open.")
    public static let breakerFailureRate = ConfigKey(
        "gateway.breaker_failure_rate", .number(0.01...1), default: "0.5", help: "Failure share that opens the circuit.")
    public static let breakerOpenSeconds = ConfigKey(
        "gateway.breaker_open_seconds", .seconds(0.01...3600), default: "5", help: "How long an open circuit refuses calls.")
    public static let breakerProbes = ConfigKey(
        "gateway.breaker_half_open_probes", .integer(1...1000), default: "3", help: "Probe calls allowed (and needed) in half-open.")
    public static let ejectionErrors = ConfigKey(
        "gateway.ejection_consecutive_errors", .integer(1...1000), default: "5",
        help: "Consecutive 5xx answers that eject an instance (one refused connection always does).")
    public static let ejectionBase = ConfigKey(
        "gateway.ejection_base_seconds", .seconds(0.01...3600), default: "10",
        help: "First ejection time; the n-th ejection of an instance lasts n times as long.")
    public static let ejectionMax = ConfigKey(
        "gateway.ejection_max_seconds", .seconds(0.01...36_000), default: "300", help: "Longest ejection.")
    public static let panicThreshold = ConfigKey(
        "gateway.panic_threshold", .number(0...1), default: "0",
        help: "Below this share of live instances (and always when none is live) a service's requests go to every registered, lease-holding instance instead of answering 503.")
    public static let ejectionShare = ConfigKey(
        "gateway.ejection_max_share", .number(0...1), default: "0.5",
        help: "Largest share of a service's instances ejected at once (one may always be).")

    public static let rateLimits = ConfigKey(
        "gateway.rate_limits", .string,
        default: "anonymous:read=600/min,anonymous:write=120/min,*:auth=30/min,viewer:*=1200/min,trader:*=3000/min,analyst:*=3000/min,admin:*=6000/min",
        help: "Quotas by `role:class=N/unit`: role admin/analyst/trader/viewer/anonymous or *, class read (GET/HEAD/OPTIONS), write, auth (login, register, refresh) or *; unit s, min or h. Per user, API key or (anonymous) client address, per gateway replica; empty = no limit.")
    public static let apiKeyCacheSeconds = ConfigKey(
        "gateway.api_key_cache_seconds", .seconds(0...3600), default: "10",
        help: "How long an API key's introspection is reused (a revocation reaches the gateway through the feed anyway).")
    public static let revocationPollSeconds = ConfigKey(
        "gateway.revocation_poll_seconds", .seconds(0.1...3600), default: "1",
        help: "How often the gateway reads the auth service's revocation feed.")
    public static let jwksMinRefreshSeconds = ConfigKey(
        "gateway.jwks_min_refresh_seconds", .seconds(0...3600), default: "5",
        help: "Least time between two JWKS fetches triggered by unknown key ids (bounds what forged kids can cost).")
    public static let fastPath = ConfigKey(
        "gateway.fast_path", .boolean, default: "true",
        help: "Proxy plain GET/HEAD requests of verified callers on the event loop (false: every request takes the router path).")
    public static let publicMetrics = ConfigKey(
        "gateway.public_metrics", .boolean, default: "true", help: "Whether the gateway's `/metrics` is open without a token (false: admin only).")

    public static let descriptor = ServiceDescriptor(
        name: "gateway", defaultPort: 8080,
        keys: [instanceTTL, proxyTimeout, maxTimeout, knownServices, balancing, retryBudget, healthInterval, breakerWindow,
               breakerMinimumCalls, breakerFailureRate, breakerOpenSeconds, breakerProbes, ejectionErrors, ejectionBase,
               ejectionMax, ejectionShare, panicThreshold, rateLimits, apiKeyCacheSeconds, revocationPollSeconds, jwksMinRefreshSeconds, publicMetrics, fastPath,
               .authIssuer, .authAudience],
        summary: """
            Service registry and reverse proxy in front of every Bourse service. Any request under /api/v1/<service>/ \
            (every method) is proxied to a live instance of that service, under that service's own contract and access \
            rules; the gateway itself answers 404 (unknown service), 502 (upstream unreachable or broken), 503 (no live \
            instance, with Retry-After) and 504 (deadline passed) as problems.
            """,
        endpoints: GatewayContract.all, isEdge: true)

    public let pool: UpstreamPool
    public let ttl: Duration
    public let limiter = RateLimiter()
    let rateLimitPolicy: RateLimitPolicy
    let caller: UpstreamCaller
    let environment: ServiceEnvironment
    let access = ServiceAccessTable()
    let authenticator: GatewayAuthenticator

    public init(environment: ServiceEnvironment) async throws {
        let config = environment.configuration
        let known = (config.string(Self.knownServices) ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var routing = UpstreamPool.Configuration()
        let policies = try BalancingPolicy.parse(config.string(Self.balancing) ?? "round-robin")
        routing.defaultPolicy = policies.default
        routing.policies = policies.perService
        routing.breaker.windowSize = config.int(Self.breakerWindow)
        routing.breaker.minimumCalls = config.int(Self.breakerMinimumCalls)
        routing.breaker.failureRateThreshold = config.number(Self.breakerFailureRate)
        routing.breaker.openDuration = config.seconds(Self.breakerOpenSeconds)
        routing.breaker.halfOpenProbes = config.int(Self.breakerProbes)
        routing.outlier.consecutiveErrors = config.int(Self.ejectionErrors)
        routing.outlier.baseEjection = config.seconds(Self.ejectionBase)
        routing.outlier.maxEjection = config.seconds(Self.ejectionMax)
        routing.outlier.maxEjectedShare = config.number(Self.ejectionShare)
        routing.panicThreshold = config.number(Self.panicThreshold)
        let metrics = RoutingMetrics(registry: environment.metrics.registry, origin: "gateway")
        let logger = environment.logger
        let panicLogged = Mutex<[String: ContinuousClock.Instant]>([:])
        self.pool = UpstreamPool(configuration: routing, knownServices: known) { event in
            metrics.observe(event)
            switch event {
            case .ejected(let instance, let duration):
                logger.warning("instance ejected", metadata: [
                    "service": .string(instance.service), "upstream_instance": .string(instance.id),
                    "seconds": .stringConvertible(duration.inSeconds),
                ])
            case .panic(let service):
                // Every request while it lasts: logged at most every 10 s per service, counted always
                // (`bourse_upstream_panic_total`).
                let now = ContinuousClock.now
                let due = panicLogged.withLock { last in
                    guard last[service].map({ now - $0 >= .seconds(10) }) ?? true else { return false }
                    last[service] = now
                    return true
                }
                if due {
                    logger.warning("panic routing: too few live instances, sending requests to every registered one",
                                   metadata: ["service": .string(service)])
                }
            case .circuit:
                break
            }
        }
        self.ttl = config.seconds(Self.instanceTTL)
        self.rateLimitPolicy = try RateLimitPolicy.parse(config.string(Self.rateLimits) ?? "")
        self.caller = UpstreamCaller(pool: pool, http: environment.client.http,
                                     budget: RetryBudget(ratio: config.number(Self.retryBudget)), metrics: metrics)
        self.environment = environment
        let verifier = AccessTokenVerifier(issuer: config.string(.authIssuer) ?? "bourse", audience: config.string(.authAudience) ?? "bourse-api")
        self.authenticator = GatewayAuthenticator(
            verifier: verifier, peers: PeerClient(caller: caller, credential: environment.internalCredential),
            apiKeyTTL: config.seconds(Self.apiKeyCacheSeconds), jwksMinInterval: config.seconds(Self.jwksMinRefreshSeconds), logger: logger)
    }

    public func addMiddleware(to router: ServiceRouter) {
        router.add(middleware: MethodHygieneMiddleware())
        router.add(middleware: edge)
    }

    var edge: EdgeAuthMiddleware {
        EdgeAuthMiddleware(authenticator: authenticator, access: access, credential: environment.internalCredential,
                           limiter: limiter, rateLimits: rateLimitPolicy, publicMetrics: environment.configuration.bool(Self.publicMetrics))
    }

    public var channelHandlers: (@Sendable () -> [any RemovableChannelHandler])? {
        guard environment.configuration.bool(Self.fastPath) else { return nil }
        let config = environment.configuration
        let proxy = FastProxy(pool: pool, edge: edge, credential: environment.internalCredential, metrics: environment.metrics,
                              routing: caller.metrics ?? RoutingMetrics(registry: environment.metrics.registry, origin: "gateway"),
                              budget: caller.budget, defaultTimeout: config.seconds(Self.proxyTimeout), maxTimeout: config.seconds(Self.maxTimeout),
                              logger: environment.logger)
        return { [RouterResponseTracker(wire: WireProxyHandler(proxy: proxy))] }
    }

    public func addRoutes(to router: ServiceRouter) {
        let config = environment.configuration
        router.add(middleware: ProxyMiddleware(caller: caller, defaultTimeout: config.seconds(Self.proxyTimeout),
                                               maxTimeout: config.seconds(Self.maxTimeout), credential: environment.internalCredential))
        RegistryRoutes(pool: pool, ttl: ttl, credential: environment.internalCredential, access: access).add(to: router)
        let limiter = self.limiter
        let policy = self.rateLimitPolicy
        router.on(GatewayContract.rateLimit) { _, _ in
            JSONResponse([
                "algorithm": .string("GCRA, per gateway replica"),
                "quotas": .object(policy.quotas.mapValues { .object(["limit": .number(Double($0.limit)), "period_seconds": .number($0.period.inSeconds)]) }),
                "tracked_keys": .number(Double(limiter.trackedKeys)),
                "rejected": .number(Double(limiter.rejected)),
            ])
        }
    }

    public var backgroundServices: [any Service] {
        var services: [any Service] = [
            RegistrySweeper(pool: pool, logger: environment.logger),
            RevocationFollower(authenticator: authenticator, interval: environment.configuration.seconds(Self.revocationPollSeconds),
                               maxTokenLifetime: 86_400, logger: environment.logger),
        ]
        let interval = environment.configuration.seconds(Self.healthInterval)
        if interval > .zero {
            services.append(ActiveHealthChecker(pool: pool, client: environment.client, interval: interval, logger: environment.logger))
        }
        return services
    }
}
