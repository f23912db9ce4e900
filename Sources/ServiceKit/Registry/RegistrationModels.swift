import Foundation

/// What an instance tells the gateway about itself (`POST /api/v1/gateway/register`).
public struct RegistrationRequest: Codable, Sendable, Equatable {
    public var service: String
    public var instanceID: String
    public var url: String
    public var version: String
    public var weight: Int?
    /// The service's route rules, which the gateway enforces before proxying.
    public var access: AccessPolicy?

    public init(service: String, instanceID: String, url: String, version: String, weight: Int? = nil, access: AccessPolicy? = nil) {
        self.service = service
        self.instanceID = instanceID
        self.url = url
        self.version = version
        self.weight = weight
        self.access = access
    }

    enum CodingKeys: String, CodingKey {
        case service, url, version, weight, access
        case instanceID = "instance_id"
    }
}

/// The gateway's answer to a registration or heartbeat: how long the lease lasts.
public struct RegistrationLease: Codable, Sendable, Equatable {
    public var instanceID: String
    public var ttlSeconds: Double

    public init(instanceID: String, ttlSeconds: Double) {
        self.instanceID = instanceID
        self.ttlSeconds = ttlSeconds
    }

    enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id"
        case ttlSeconds = "ttl_seconds"
    }
}
