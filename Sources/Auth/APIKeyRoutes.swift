import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/auth/api-keys`: a user's keys for scripts and services. A key's scopes are never wider than its
/// owner's; the secret is in the creation response only.
struct APIKeyRoutes {
    let auth: AuthContext

    func add(to router: ServiceRouter) {
        router.on(AuthContract.createAPIKey, use: create)
        router.on(AuthContract.listAPIKeys, use: list)
        router.on(AuthContract.revokeAPIKey, use: revoke)
    }

    struct Creation: Decodable {
        let name: String
        let scopes: [String]?
        /// Days until the key expires (1–3650); no value: it does not expire.
        let expires_in_days: Int?
    }

    struct Created: Encodable {
        let key: String
        let api_key: APIKeyStore.Key
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        // A key cannot mint keys: a leaked key must not be able to outlive its own revocation.
        guard principal.kind == .user else {
            throw Problem(status: .forbidden, slug: "api-key-cannot-create-keys", detail: "API keys are created with an access token, not with another key.")
        }
        let body = try await request.decodeJSON(as: Creation.self, context: context)
        var errors: [FieldError] = []
        let name = body.name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty || name.count > 100 { errors.append(.init(field: "name", reason: "must be 1 to 100 characters")) }
        let requested = Set(body.scopes ?? Array(principal.scopes))
        if requested.isEmpty { errors.append(.init(field: "scopes", reason: "must name at least one scope")) }
        let unknown = requested.subtracting(Scope.all)
        if !unknown.isEmpty { errors.append(.init(field: "scopes", reason: "unknown scopes: \(unknown.sorted().joined(separator: ", "))")) }
        let wider = requested.intersection(Scope.all).filter { !principal.has(scope: $0) }
        if !wider.isEmpty { errors.append(.init(field: "scopes", reason: "wider than yours: \(wider.sorted().joined(separator: ", "))")) }
        if let days = body.expires_in_days, !(1...3650).contains(days) { errors.append(.init(field: "expires_in_days", reason: "must be 1 to 3650")) }
        guard errors.isEmpty else { throw Problem.validation("The API key request is invalid.", errors: errors) }
        let expiresAt = body.expires_in_days.map { Secrets.now() + Int64($0) * 86_400 }
        let (key, secret) = try await auth.apiKeys.create(userID: principal.subject, name: name, scopes: requested, expiresAt: expiresAt)
        context.logger.info("api key created", metadata: ["user_id": .string(principal.subject), "api_key_id": .string(key.id)])
        var response = try JSONResponse(encoding: Created(key: secret, api_key: key), status: .created).response(from: request, context: context)
        response.headers[.location] = "/api/v1/auth/api-keys/\(key.id)"
        return response.noStore()
    }

    struct Listing: Encodable { let items: [APIKeyStore.Key] }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try context.requirePrincipal()
        return try JSONResponse(encoding: Listing(items: try await auth.apiKeys.list(userID: principal.subject)))
    }

    @Sendable func revoke(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let owner = principal.has(scope: Scope.admin) ? nil : principal.subject
        // Someone else's key answers 404 like a missing one: ids of other users' keys are not confirmed.
        guard try await auth.apiKeys.revoke(id: id, ownedBy: owner) else { throw Problem.notFound("You have no API key \(id).") }
        context.logger.info("api key revoked", metadata: ["user_id": .string(principal.subject), "api_key_id": .string(id)])
        return Response(status: .noContent)
    }
}
