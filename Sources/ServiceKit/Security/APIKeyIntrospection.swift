/// The auth service's answer to `POST /api/v1/auth/introspect` (the gateway's API key check).
public struct APIKeyIntrospection: Codable, Sendable, Equatable {
    public var active: Bool
    public var principal: Principal?

    public init(active: Bool, principal: Principal? = nil) {
        self.active = active
        self.principal = principal
    }
}
