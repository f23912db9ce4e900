import Foundation
import Hummingbird
import ServiceKit

/// Administration (scope `admin`, enforced by the access policy) and the two internal endpoints the gateway
/// calls with the internal credential: API key introspection and the revocation feed.
struct AdminRoutes {
    let auth: AuthContext

    func add(to router: ServiceRouter) {
        router.on(AuthContract.listUsers, use: listUsers)
        router.on(AuthContract.createUser, use: createUser)
        router.on(AuthContract.user, use: getUser)
        router.on(AuthContract.updateUser, use: updateUser)
        router.on(AuthContract.rotateKeys, use: rotateKeys)
        router.on(AuthContract.introspect, use: introspect)
        router.on(AuthContract.revocations, use: revocations)
    }

    struct Page: Encodable {
        let items: [User.View]
        let total: Int
        let limit: Int
        let offset: Int
    }

    @Sendable func listUsers(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let q = QueryReader.collecting(request)
        let limit = try q.int("limit", in: 1...1000) ?? 100
        let offset = try q.int("offset", in: 0...Int.max) ?? 0
        try q.check()
        let (users, total) = try await auth.users.list(limit: limit, offset: offset)
        return try JSONResponse(encoding: Page(items: users.map(\.view), total: total, limit: limit, offset: offset))
    }

    struct NewUser: Decodable {
        let username: String
        let email: String?
        let password: String
        let roles: [String]?
    }

    @Sendable func createUser(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: NewUser.self, context: context)
        let roles = try Self.validRoles(body.roles ?? [Role.viewer.rawValue])
        let user = try await SessionRoutes(auth: auth).createUser(username: body.username, email: body.email, password: body.password, roles: roles)
        var response = try JSONResponse(encoding: user.view, status: .created).response(from: request, context: context)
        response.headers[.location] = "/api/v1/auth/users/\(user.id)"
        return response
    }

    @Sendable func getUser(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        guard let row = try await auth.users.find(id: id) else { throw Problem.notFound("No user \(id).") }
        return try JSONResponse(encoding: row.user.view)
    }

    struct Change: Decodable {
        let roles: [String]?
        let disabled: Bool?
    }

    /// Changes roles or disables a user. Either ends the user's sessions and refuses the access tokens they
    /// hold, so the change takes effect at once rather than when the tokens expire.
    @Sendable func updateUser(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        let body = try await request.decodeJSON(as: Change.self, context: context)
        let roles = try body.roles.map(Self.validRoles)
        if id == context.principal?.subject, body.disabled == true || (roles.map { !$0.contains(Role.admin.rawValue) } ?? false) {
            throw Problem(status: .conflict, slug: "self-lockout", detail: "You cannot disable yourself or drop your own admin role.")
        }
        let engine = auth.database.engine
        let users = auth.users
        let updated = try await auth.database.transaction { sql -> Bool in
            guard try await sql.raw("SELECT 1 AS one FROM users WHERE id = \(bind: id)").first() != nil else { return false }
            try await users.update(id: id, roles: roles, disabled: body.disabled, in: sql)
            try await SessionStore.revokeAll(userID: id, reason: body.disabled == true ? "disabled" : "roles changed", engine: engine, in: sql)
            return true
        }
        guard updated, let row = try await auth.users.find(id: id) else { throw Problem.notFound("No user \(id).") }
        context.logger.notice("user changed", metadata: ["user_id": .string(id), "by": .string(context.principal?.subject ?? "peer")])
        return try JSONResponse(encoding: row.user.view)
    }

    static func validRoles(_ roles: [String]) throws -> [String] {
        let unknown = roles.filter { Role(rawValue: $0) == nil }
        guard !roles.isEmpty, unknown.isEmpty else {
            throw Problem.validation("The roles are invalid.", errors: [
                .init(field: "roles", reason: unknown.isEmpty ? "at least one role is needed"
                      : "unknown: \(unknown.joined(separator: ", ")); roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))"),
            ])
        }
        return Array(Set(roles)).sorted()
    }

    @Sendable func rotateKeys(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        try await auth.keys.rotate()
        return JSONResponse(["kid": .string(await auth.keys.currentKeyID ?? "")])
    }

    struct Introspection: Decodable { let key: String }

    /// RFC 7662-shaped: `{"active": false}` for anything that is not a live key, the principal otherwise.
    @Sendable func introspect(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Introspection.self, context: context)
        guard let (key, owner) = try await auth.apiKeys.lookup(body.key) else { return JSONResponse(["active": .bool(false)]) }
        let user = owner.user
        // The owner's current rights bound the key's, so a demoted owner's keys shrink with them.
        let scopes = Set(key.scopes.split(separator: " ").map(String.init)).filter { user.scopes.contains($0) || user.scopes.contains(Scope.admin) }
        let principal = Principal(subject: user.id, username: user.username, roles: user.roles, scopes: scopes, kind: .apiKey,
                                  credentialID: key.id, expiresAt: key.expires_at.map(Double.init))
        return try JSONResponse(encoding: APIKeyIntrospection(active: true, principal: principal))
    }

    @Sendable func revocations(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let after = try QueryReader(request).int("after", in: 0...Int.max) ?? 0
        return try JSONResponse(encoding: try await auth.revocations.page(after: Int64(after), horizon: auth.sessions.accessSeconds))
    }
}


