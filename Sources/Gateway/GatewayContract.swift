import ServiceKit

/// The gateway's own operations: each route's method, path, access rule and OpenAPI operation, declared once.
/// Routes register these (`router.on(GatewayContract.…)`); the descriptor derives the access policy and the contract,
/// and ``EdgeAuthMiddleware`` reads both (the registry under `/api/v1/gateway/` from the policy, the status pages
/// from ``statusAccess``).
///
/// The proxy (`/api/v1/<service>/…` for every other service) is not an operation of the gateway's: it is
/// middleware, and each proxied operation is in its own service's contract.
///
/// Without `internal.secret` (a lone development gateway) services cannot prove who they are, so the edge leaves
/// the registry and the status pages open; `bourse up` always sets a secret, and the rules below are what apply then.
enum GatewayContract {
    static let admin = AccessPolicy.Requirement.scope(Scope.admin)
    static let instanceID = Endpoint.Parameter.path("instance_id", .string, "The instance's id, as registered.")

    static let register = Endpoint(
        .post, "/api/v1/gateway/register", access: admin, summary: "Register an instance, or renew its lease.",
        description: """
            A registry write: with `internal.secret` set it needs the internal credential (services and the supervisor \
            hold it), so nobody can register an instance and receive other users' traffic; an admin token alone is \
            refused with 401. The registration's access rules are what the gateway enforces on the service's routes.
            """,
        body: .json(RegistrationRequestSchema.self),
        responses: [
            .json(.created, "Registered; the body gives the lease (instance_id, ttl_seconds).", RegistrationLeaseSchema.self),
            .json(.ok, "Already registered; lease renewed.", RegistrationLeaseSchema.self),
        ])

    static let heartbeat = Endpoint(
        .put, "/api/v1/gateway/instances/{instance_id}/heartbeat", access: admin, summary: "Renew an instance's lease.",
        description: "A registry write: with `internal.secret` set it needs the internal credential.",
        parameters: [instanceID],
        responses: [.json(.ok, "Lease renewed.", RegistrationLeaseSchema.self)],
        problems: [.notFound])

    static let deregister = Endpoint(
        .delete, "/api/v1/gateway/instances/{instance_id}", access: admin, summary: "Deregister an instance (graceful shutdown).",
        description: "A registry write: with `internal.secret` set it needs the internal credential.",
        parameters: [instanceID],
        responses: [.empty(.noContent, "Removed.")],
        problems: [.notFound])

    static let services = Endpoint(
        .get, "/api/v1/gateway/services", access: admin,
        summary: "Every known service with its instances and their routing state.",
        responses: [.json(.ok, "The registry.", RegistryListingSchema.self)])

    static let health = Endpoint(
        .get, "/api/v1/gateway/health/{service}", access: admin, summary: "Whether a service has a live instance.",
        parameters: [.path("service", .string, "A service name (`data`, `auth`, …).")],
        responses: [.json(.ok, "At least one live instance.", .object([
            .init("service", .string), .init("status", .string(enum: ["pass"])), .init("healthy_instances", .integer(minimum: 1)),
        ], required: ["service", "status", "healthy_instances"]))],
        problems: [.notFound, .serviceUnavailable])

    static let status = Endpoint(
        .get, "/api/status/services", access: admin, summary: "Instance and healthy-instance counts per service.",
        responses: [.json(.ok, "Summary.", .object([
            .init("services", .map(.object([
                .init("instances", .integer), .init("healthy_instances", .integer), .init("status", .string(enum: ["pass", "fail"])),
            ], required: ["instances", "healthy_instances", "status"]), description: "By service name.")),
        ], required: ["services"]))])

    static let rateLimit = Endpoint(
        .get, "/api/status/rate-limit", access: .authenticated,
        summary: "The rate-limit quotas of this gateway replica and how many keys it tracks and requests it refused.",
        responses: [.json(.ok, "Rate-limit state.", .object([
            .init("algorithm", .string),
            .init("quotas", .map(.object([
                .init("limit", .integer(minimum: 1)), .init("period_seconds", .number),
            ], required: ["limit", "period_seconds"]), description: "By `role:class` selector (either part may be `*`).")),
            .init("tracked_keys", .integer(minimum: 0)),
            .init("rejected", .integer(minimum: 0)),
        ], required: ["algorithm", "quotas", "tracked_keys", "rejected"]))])

    static let all: [Endpoint] = [register, heartbeat, deregister, services, health, status, rateLimit]
}

/// Wire schemas of the registry's bodies (their Swift types are ServiceKit's, shared with the registration client).
enum RegistrationRequestSchema: ContractSchema {
    static let contractSchema = SchemaComponent("RegistrationRequest", .object([
        .init("service", .string(pattern: "^[a-z][a-z0-9-]{0,62}$", description: "`gateway` is reserved.")),
        .init("instance_id", .string(pattern: "^[A-Za-z0-9._:-]+$", minLength: 1, maxLength: 128)),
        .init("url", .string(format: "uri", description: "Base URL, e.g. http://127.0.0.1:9001: http or https, a host, no path or query.")),
        .init("version", .string(minLength: 1, maxLength: 64)),
        .init("weight", .integer(minimum: 1, maximum: 1000, default: 1)),
        .init("access", .ref(AccessPolicySchema.self)),
    ], required: ["service", "instance_id", "url", "version"]))
}

enum AccessPolicySchema: ContractSchema {
    static let contractSchema = SchemaComponent("AccessPolicy", .object([
        .init("rules", .array(.object([
            .init("method", JSONSchema.string(description: "Any method when absent or null.").orNull),
            .init("path", .string(description: "Literal segments, `{name}` for one segment, a final `**` for any rest.")),
            .init("requirement", .string(description: "`public`, `authenticated` or a scope.")),
        ], required: ["path", "requirement"]), description: "Tried in order; the first match decides.")),
    ], required: ["rules"], description: "A service's route rules (in a registration), which the gateway enforces before proxying."))
}

enum RegistrationLeaseSchema: ContractSchema {
    static let contractSchema = SchemaComponent("RegistrationLease", .object([
        .init("instance_id", .string), .init("ttl_seconds", .number),
    ], required: ["instance_id", "ttl_seconds"]))
}

enum RegistryListingSchema: ContractSchema {
    static let contractSchema = SchemaComponent("RegistryListing", .object([
        .init("services", .array(.object([
            .init("name", .string),
            .init("policy", .string(BalancingPolicy.self)),
            .init("healthy_instances", .integer),
            .init("instances", .array(.object([
                .init("instance_id", .string),
                .init("url", .string),
                .init("version", .string),
                .init("weight", .integer),
                .init("health", .string(enum: ["up", "ejected", "circuit-open", "failing-health-checks", "expired"])),
                .init("last_heartbeat", .dateTime),
                .init("registered_at", .dateTime),
                .init("lease_remaining_seconds", .number),
                .init("circuit", .string(enum: ["closed", "half-open", "open"])),
                .init("ejected_for_seconds", JSONSchema.number.orNull),
                .init("ejections", .integer),
                .init("active_health", .string(enum: ["pass", "fail"])),
                .init("in_flight", .integer),
            ], required: ["instance_id", "url", "version", "weight", "health", "last_heartbeat", "registered_at",
                          "lease_remaining_seconds", "circuit", "ejections", "active_health", "in_flight"]))),
        ], required: ["name", "policy", "healthy_instances", "instances"]))),
    ], required: ["services"]))
}
