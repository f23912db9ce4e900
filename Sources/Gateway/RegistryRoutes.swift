import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/gateway/…`: registration, heartbeats, deregistration and the service listing.
struct RegistryRoutes {
    let pool: UpstreamPool
    let ttl: Duration
    /// When set, only holders of the internal credential (services, the supervisor) may change the registry:
    /// otherwise anyone could register an instance and receive other users' traffic.
    let credential: InternalCredential?
    /// Each service's route rules, from its latest registration; the edge enforces them.
    let access: ServiceAccessTable

    func add(to router: ServiceRouter) {
        let internalOnly = credential.map { InternalAuthMiddleware(credential: $0, policy: GatewayService.descriptor.access, open: []) }
        router.on(GatewayContract.register, use: Self.requiring(internalOnly, register))
        router.on(GatewayContract.heartbeat, use: Self.requiring(internalOnly, heartbeat))
        router.on(GatewayContract.deregister, use: Self.requiring(internalOnly, deregister))
        router.on(GatewayContract.services, use: services)
        router.on(GatewayContract.health, use: health)
        router.on(GatewayContract.status, use: status)
    }

    /// `handler` behind `middleware` (when there is one): the registry writes run behind the service side's
    /// internal-credential check, as a route group's middleware would run it.
    static func requiring<Answer: ResponseGenerator>(
        _ middleware: InternalAuthMiddleware?, _ handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> Answer
    ) -> @Sendable (Request, ServiceRequestContext) async throws -> Response {
        guard let middleware else {
            return { request, context in try await handler(request, context).response(from: request, context: context) }
        }
        return { request, context in
            try await middleware.handle(request, context: context) { request, context in
                try await handler(request, context).response(from: request, context: context)
            }
        }
    }

    @Sendable func register(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: RegistrationRequest.self, context: context)
        let errors = Self.validate(body)
        guard errors.isEmpty else { throw Problem.validation("The registration is invalid.", errors: errors) }
        let created = pool.upsert(UpstreamPool.Instance(service: body.service, id: body.instanceID, url: body.url,
                                                        version: body.version, weight: body.weight ?? 1), lease: ttl)
        if let policy = body.access { access.update(service: body.service, policy: policy) }
        context.logger.info(created ? "instance registered" : "instance re-registered", metadata: [
            "service": .string(body.service), "registered_instance": .string(body.instanceID), "url": .string(body.url),
        ])
        return try JSONResponse(encoding: lease(body.instanceID), status: created ? .created : .ok)
            .response(from: request, context: context)
    }

    @Sendable func heartbeat(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("instance_id")
        guard pool.renew(id, lease: ttl) else {
            throw Problem.notFound("Instance \(id) is not registered (its lease may have expired); register again.")
        }
        return try JSONResponse(encoding: lease(id))
    }

    @Sendable func deregister(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let id = try context.parameters.require("instance_id")
        guard pool.remove(id) else { throw Problem.notFound("Instance \(id) is not registered.") }
        context.logger.info("instance deregistered", metadata: ["registered_instance": .string(id)])
        return Response(status: .noContent)
    }

    @Sendable func services(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        try JSONResponse(encoding: RegistryListing(services: listing()))
    }

    @Sendable func health(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let name = try context.parameters.require("service")
        guard let entry = listing().first(where: { $0.name == name }) else {
            throw Problem.notFound("No service named \(name) is known to the gateway.")
        }
        guard entry.healthyInstances > 0 else {
            throw Problem.serviceUnavailable("Service \(name) has no healthy instance.", retryAfterSeconds: 2)
        }
        return JSONResponse(["service": .string(name), "status": .string("pass"), "healthy_instances": .number(Double(entry.healthyInstances))])
    }

    @Sendable func status(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let services = listing()
        return JSONResponse([
            "services": .object(Dictionary(uniqueKeysWithValues: services.map {
                ($0.name, JSONValue.object(["instances": .number(Double($0.instances.count)),
                                            "healthy_instances": .number(Double($0.healthyInstances)),
                                            "status": .string($0.healthyInstances > 0 ? "pass" : "fail")]))
            })),
        ])
    }

    func lease(_ id: String) -> RegistrationLease {
        RegistrationLease(instanceID: id, ttlSeconds: ttl.inSeconds)
    }

    func listing() -> [RegistryListing.Service] {
        pool.snapshot().map { entry in
            let instances = entry.instances.map { status in
                let i = status.instance
                let health: String
                if let lease = status.leaseRemaining, lease <= .zero { health = "expired" }
                else if !status.activeHealthy { health = "failing-health-checks" }
                else if status.ejectedFor != nil { health = "ejected" }
                else if !status.live { health = "circuit-open" }
                else { health = "up" }
                return RegistryListing.Instance(
                    instanceID: i.id, url: i.url, version: i.version, weight: i.weight, health: health,
                    lastHeartbeat: i.lastHeartbeat, registeredAt: i.registeredAt,
                    leaseRemainingSeconds: max(0, ((status.leaseRemaining ?? .zero).inSeconds * 1000).rounded() / 1000),
                    circuit: status.circuit, ejectedForSeconds: status.ejectedFor.map { ($0.inSeconds * 1000).rounded() / 1000 },
                    ejections: status.ejections, activeHealth: status.activeHealthy ? "pass" : "fail", inFlight: status.outstanding)
            }
            return RegistryListing.Service(name: entry.name, policy: entry.policy.rawValue,
                                healthyInstances: instances.filter { $0.health == "up" }.count, instances: instances)
        }
    }

    static var namePattern: Regex<Substring> { /^[a-z][a-z0-9-]{0,62}$/ }

    static func validate(_ r: RegistrationRequest) -> [FieldError] {
        var errors: [FieldError] = []
        if (try? namePattern.wholeMatch(in: r.service)) == nil {
            errors.append(.init(field: "/service", reason: "must be lowercase letters, digits and dashes, starting with a letter (at most 63)"))
        }
        if r.service == "gateway" { errors.append(.init(field: "/service", reason: "gateway is reserved")) }
        if r.instanceID.isEmpty || r.instanceID.count > 128 || !r.instanceID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) {
            errors.append(.init(field: "/instance_id", reason: "must be 1-128 characters of letters, digits, '-', '_', '.' or ':'"))
        }
        if let url = URLComponents(string: r.url), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty,
           url.path.isEmpty || url.path == "/", url.query == nil {
            // fine
        } else {
            errors.append(.init(field: "/url", reason: "must be an http(s) base URL such as http://127.0.0.1:9001, without path or query"))
        }
        if r.version.isEmpty || r.version.count > 64 { errors.append(.init(field: "/version", reason: "must be 1-64 characters")) }
        if let w = r.weight, !(1...1000).contains(w) { errors.append(.init(field: "/weight", reason: "must be between 1 and 1000")) }
        return errors
    }
}
