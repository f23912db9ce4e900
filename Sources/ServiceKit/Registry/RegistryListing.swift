import Foundation

/// The body of the gateway's `GET /api/v1/gateway/services`: every service with its instances and their
/// routing state. The gateway encodes it; the supervisor and the service directory decode it.
public struct RegistryListing: Codable, Sendable {
    public var services: [Service]

    public init(services: [Service]) {
        self.services = services
    }

    public struct Service: Codable, Sendable {
        public var name: String
        public var policy: String
        public var healthyInstances: Int
        public var instances: [Instance]

        public init(name: String, policy: String, healthyInstances: Int, instances: [Instance]) {
            self.name = name
            self.policy = policy
            self.healthyInstances = healthyInstances
            self.instances = instances
        }

        enum CodingKeys: String, CodingKey {
            case name, instances, policy
            case healthyInstances = "healthy_instances"
        }
    }

    public struct Instance: Codable, Sendable {
        public var instanceID: String
        public var url: String
        public var version: String
        public var weight: Int
        /// `up`, `ejected`, `circuit-open`, `failing-health-checks` or `expired`.
        public var health: String
        public var lastHeartbeat: Date
        public var registeredAt: Date
        public var leaseRemainingSeconds: Double
        public var circuit: String
        public var ejectedForSeconds: Double?
        public var ejections: Int
        public var activeHealth: String
        public var inFlight: Int

        public init(instanceID: String, url: String, version: String, weight: Int, health: String, lastHeartbeat: Date,
                    registeredAt: Date, leaseRemainingSeconds: Double, circuit: String, ejectedForSeconds: Double?,
                    ejections: Int, activeHealth: String, inFlight: Int) {
            self.instanceID = instanceID
            self.url = url
            self.version = version
            self.weight = weight
            self.health = health
            self.lastHeartbeat = lastHeartbeat
            self.registeredAt = registeredAt
            self.leaseRemainingSeconds = leaseRemainingSeconds
            self.circuit = circuit
            self.ejectedForSeconds = ejectedForSeconds
            self.ejections = ejections
            self.activeHealth = activeHealth
            self.inFlight = inFlight
        }

        enum CodingKeys: String, CodingKey {
            case url, version, weight, health, circuit, ejections
            case instanceID = "instance_id"
            case lastHeartbeat = "last_heartbeat"
            case registeredAt = "registered_at"
            case leaseRemainingSeconds = "lease_remaining_seconds"
            case ejectedForSeconds = "ejected_for_seconds"
            case activeHealth = "active_health"
            case inFlight = "in_flight"
        }
    }

    /// Decodes a listing (dates in ISO 8601, as the gateway writes them).
    public static func decode(_ data: Data) throws -> RegistryListing {
        try ServiceJSON.decoder().decode(RegistryListing.self, from: data)
    }
}
