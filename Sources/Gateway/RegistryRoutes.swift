import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/gateway/…`: registration, heartbeats, deregistration and the service listing.
struct RegistryRoutes {
    let registry: ServiceRegistry

    func add(to router: Router<ServiceRequestContext>) {
        let group = router.group("/api/v1/gateway")
        group.post("/register", use: register)
        group.put("/instances/{instance_id}/heartbeat", use: heartbeat)
        group.delete("/instances/{instance_id}", use: deregister)
        group.get("/services", use: services)
        group.get("/health/{service}", use: health)
        router.get("/api/status/services", use: status)
    }

    @Sendable func register(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: RegistrationRequest.self, context: context)
        let errors = Self.validate(body)
        guard errors.isEmpty else { throw Problem.validation("The registration is invalid.", errors: errors) }
        let created = registry.register(body)
        context.logger.info(created ? "instance registered" : "instance re-registered", metadata: [
            "service": .string(body.service), "registered_instance": .string(body.instanceID), "url": .string(body.url),
        ])
        return try JSONResponse(encoding: lease(body.instanceID), status: created ? .created : .ok)
            .response(from: request, context: context)
    }

    @Sendable func heartbeat(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("instance_id")
        guard registry.heartbeat(id) else {
            throw Problem.notFound("Instance \(id) is not registered (its lease may have expired); register again.")
        }
        return try JSONResponse(encoding: lease(id))
    }

    @Sendable func deregister(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let id = try context.parameters.require("instance_id")
        guard registry.deregister(id) else { throw Problem.notFound("Instance \(id) is not registered.") }
        context.logger.info("instance deregistered", metadata: ["registered_instance": .string(id)])
        return Response(status: .noContent)
    }

    @Sendable func services(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        try JSONResponse(encoding: ServiceList(services: listing()))
    }

    @Sendable func health(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let name = try context.parameters.require("service")
        switch registry.pick(name) {
        case .unknownService:
            throw Problem.notFound("No service named \(name) is known to the gateway.")
        case .noHealthyInstance:
            throw Problem.serviceUnavailable("Service \(name) has no healthy instance.", retryAfterSeconds: 2)
        case .instance:
            let count = listing().first { $0.name == name }?.healthyInstances ?? 0
            return JSONResponse(["service": .string(name), "status": .string("pass"), "healthy_instances": .number(Double(count))])
        }
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
        RegistrationLease(instanceID: id, ttlSeconds: registry.ttl.inSeconds)
    }

    func listing() -> [ServiceEntry] {
        registry.snapshot().map { entry in
            let instances = entry.instances.map { i in
                let remaining = entry.leaseRemaining[i.id] ?? .zero
                return InstanceEntry(
                    instanceID: i.id, url: i.url, version: i.version, weight: i.weight,
                    health: remaining > .zero ? "up" : "expired",
                    lastHeartbeat: i.lastHeartbeat, registeredAt: i.registeredAt,
                    leaseRemainingSeconds: max(0, (remaining.inSeconds * 1000).rounded() / 1000))
            }
            return ServiceEntry(name: entry.name, healthyInstances: instances.filter { $0.health == "up" }.count, instances: instances)
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

struct ServiceList: Codable {
    let services: [ServiceEntry]
}

struct ServiceEntry: Codable {
    let name: String
    let healthyInstances: Int
    let instances: [InstanceEntry]

    enum CodingKeys: String, CodingKey {
        case name, instances
        case healthyInstances = "healthy_instances"
    }
}

struct InstanceEntry: Codable {
    let instanceID: String
    let url: String
    let version: String
    let weight: Int
    let health: String
    let lastHeartbeat: Date
    let registeredAt: Date
    let leaseRemainingSeconds: Double

    enum CodingKeys: String, CodingKey {
        case url, version, weight, health
        case instanceID = "instance_id"
        case lastHeartbeat = "last_heartbeat"
        case registeredAt = "registered_at"
        case leaseRemainingSeconds = "lease_remaining_seconds"
    }
}
