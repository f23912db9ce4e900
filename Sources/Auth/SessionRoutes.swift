import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Register, login, refresh, logout, who-am-I and the published keys.
struct SessionRoutes {
    let auth: AuthContext

    func add(to router: ServiceRouter) {
        router.on(AuthContract.register, use: register)
        router.on(AuthContract.login, use: login)
        router.on(AuthContract.refresh, use: refresh)
        router.on(AuthContract.logout, use: logout)
        router.on(AuthContract.me, use: me)
        router.on(AuthContract.jwks, use: jwks)
    }

    struct Registration: Decodable {
        let username: String
        let email: String?
        let password: String
    }

    @Sendable func register(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard auth.openRegistration || context.principal?.has(scope: Scope.admin) == true else {
            throw Problem(status: .forbidden, slug: "registration-closed", detail: "Registration is closed on this platform; ask an administrator.")
        }
        let body = try await request.decodeJSON(as: Registration.self, context: context)
        let user = try await createUser(username: body.username, email: body.email, password: body.password, roles: [Role.viewer.rawValue])
        return try JSONResponse(encoding: user.view, status: .created).response(from: request, context: context)
    }

    /// Validates and creates a user; every problem with the input is reported at once.
    func createUser(username: String, email: String?, password: String, roles: [String]) async throws -> User {
        var errors: [FieldError] = []
        let name = username.lowercased()
        if !Validation.isUsername(name) { errors.append(.init(field: "username", reason: Validation.usernameRule)) }
        if let email, !Validation.isEmail(email) { errors.append(.init(field: "email", reason: "is not an e-mail address")) }
        if let why = auth.passwords.problem(with: password, username: name, email: email) { errors.append(.init(field: "password", reason: why)) }
        guard errors.isEmpty else { throw Problem.validation("The new account is invalid.", errors: errors) }
        let hash = try await auth.passwords.hash(password)
        do {
            return try await auth.database.transaction { sql in
                try await auth.users.create(username: name, email: email, passwordHash: hash, roles: roles, in: sql)
            }
        } catch UserStore.CreateError.taken(let field) {
            throw Problem.conflict("That \(field) is already taken.")
        }
    }

    struct Login: Decodable {
        let username: String
        let password: String
    }

    @Sendable func login(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Login.self, context: context)
        let account = body.username.lowercased()
        let address = request.headers[.xForwardedFor]?.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
            ?? context.remoteAddress ?? "unknown"
        let wait = try await auth.throttle.wait(for: ["account:" + account, "ip:" + address])
        if wait > 0 {
            throw Problem(status: .tooManyRequests, slug: "login-throttled",
                          detail: "Too many failed logins for this account or address; try again in \(wait) s.",
                          headers: [.retryAfter: String(wait)])
        }
        let row = try await auth.users.find(login: account)
        // The same bcrypt work whether or not the account exists: timing does not reveal usernames.
        let valid = try await auth.passwords.verify(body.password, hash: row?.password_hash ?? auth.passwords.decoyHash)
        guard let row, valid else {
            try await auth.throttle.recordFailure(account: account, address: address)
            context.logger.notice("login failed", metadata: ["account": .string(account), "client": .string(address)])
            throw Problem.invalidCredentials
        }
        try await auth.throttle.recordSuccess(account: account)
        guard row.disabled == 0 else {
            throw Problem(status: .forbidden, slug: "account-disabled", detail: "This account is disabled; ask an administrator.")
        }
        let user = row.user
        let session = try await auth.database.transaction { sql in try await auth.sessions.start(userID: user.id, in: sql) }
        context.logger.info("login", metadata: ["user_id": .string(user.id), "session": .string(session.sessionID)])
        return try JSONResponse(encoding: try await auth.issuer.issue(for: user, session: session)).response(from: request, context: context)
            .noStore()
    }

    struct Refresh: Decodable {
        let refresh_token: String
    }

    @Sendable func refresh(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Refresh.self, context: context)
        switch try await auth.sessions.rotate(body.refresh_token) {
        case .invalid:
            throw Problem.invalidRefreshToken
        case .reused(let userID):
            context.logger.warning("refresh token reused: session revoked", metadata: ["user_id": .string(userID)])
            throw Problem.invalidRefreshToken
        case .rotated(let issued):
            guard let row = try await auth.users.find(id: issued.userID), row.disabled == 0 else { throw Problem.invalidRefreshToken }
            return try JSONResponse(encoding: try await auth.issuer.issue(for: row.user, session: issued))
                .response(from: request, context: context).noStore()
        }
    }

    struct Logout: Decodable {
        let refresh_token: String?
    }

    /// Ends the caller's session: the access token's own `jti` and session are refused from now on, and the
    /// refresh family (the token's `sid`, or the refresh token sent) stops working.
    @Sendable func logout(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = (request.headers[.contentLength].flatMap(Int.init) ?? 0) > 0
            ? try await request.decodeJSON(as: Logout.self, context: context) : Logout(refresh_token: nil)
        var sessions = Set<String>()
        if let sid = principal.sessionID { sessions.insert(sid) }
        if let token = body.refresh_token, let sid = try await auth.sessions.session(of: token, userID: principal.subject) { sessions.insert(sid) }
        let engine = auth.database.engine
        let accessSeconds = auth.sessions.accessSeconds
        let ended = sessions
        try await auth.database.transaction { sql in
            for session in ended {
                try await SessionStore.revoke(session: session, reason: "logout", accessSeconds: accessSeconds, engine: engine, in: sql)
            }
            if principal.kind == .user {
                let until = principal.expiresAt ?? Double(Secrets.now() + accessSeconds)
                try await RevocationStore.add(.init(kind: .token, id: principal.credentialID, until: until), engine: engine, in: sql)
            }
        }
        context.logger.info("logout", metadata: ["user_id": .string(principal.subject)])
        return Response(status: .noContent)
    }

    struct Me: Encodable {
        let user: User.View
        let credential: String
        let scopes: [String]
    }

    @Sendable func me(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try context.requirePrincipal()
        guard let row = try await auth.users.find(id: principal.subject) else { throw Problem.notFound("The account no longer exists.") }
        return try JSONResponse(encoding: Me(user: row.user.view, credential: principal.kind.rawValue, scopes: principal.scopes.sorted()))
    }

    @Sendable func jwks(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        var response = try JSONResponse(encoding: await auth.keys.jwks()).response(from: request, context: context)
        response.headers[.cacheControl] = "public, max-age=60"
        return response
    }
}

extension Problem {
    static let invalidCredentials = Problem(status: .unauthorized, slug: "invalid-credentials",
                                            detail: "The username or password is wrong.", headers: [.wwwAuthenticate: "Bearer realm=\"bourse\""])
    static let invalidRefreshToken = Problem(status: .unauthorized, slug: "invalid-refresh-token",
                                             detail: "The refresh token is unknown, expired, revoked or already used; log in again.",
                                             headers: [.wwwAuthenticate: "Bearer realm=\"bourse\", error=\"invalid_token\""])
}

extension ServiceRequestContext {
    /// The caller, or 401 (a route that needs one was reached without the gateway's identity).
    func requirePrincipal() throws -> Principal {
        guard let principal else {
            throw Problem(status: .unauthorized, slug: "unauthenticated", detail: "This route needs an access token or API key.",
                          headers: [.wwwAuthenticate: "Bearer realm=\"bourse\""])
        }
        return principal
    }
}

extension Response {
    /// Token responses must not be cached (RFC 6749 §5.1).
    func noStore() -> Response {
        var copy = self
        copy.headers[.cacheControl] = "no-store"
        return copy
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
