import HTTPTypes

extension ServiceRequestContext {
    /// The user the request is made for; 401 (with `WWW-Authenticate`) when it carries no user identity, saying
    /// what belongs to users (`"Portfolios belong to users"`).
    public func requireUser(_ what: String) throws -> Principal {
        guard let principal else {
            throw Problem(status: .unauthorized, slug: "unauthenticated", detail: "\(what): this request carries no user identity.",
                          headers: [.wwwAuthenticate: "Bearer realm=\"bourse\""])
        }
        return principal
    }
}
