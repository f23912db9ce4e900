import ServiceKit

/// The `auth` service's operations: each route's method, path, access rule and OpenAPI operation, declared once.
/// Routes register these (`router.on(AuthContract.…)`); the descriptor derives the access policy and the contract.
///
/// Access: signing up, logging in, refreshing and the published keys are public; logging out, who-am-I and a
/// caller's own API keys need any valid token or key; everything else (user administration, key rotation and
/// the two internal endpoints the gateway calls) needs `admin`.
///
/// The public operations also document 401: with `internal.secret` set, this service refuses any request that
/// did not come through the gateway or from a peer, public routes included.
enum AuthContract {
    static let admin = AccessPolicy.Requirement.scope(Scope.admin)
    static let id = Endpoint.Parameter.path("id", .string)

    static let register = Endpoint(
        .post, "/api/v1/auth/register", access: .open,
        summary: "Create an account (role viewer). Closed when auth.registration is closed, except for admins.",
        body: .json(RegistrationSchema.self),
        responses: [.json(.created, "The new user.", User.View.self)],
        // 403: registration is closed; 409: the username or e-mail is taken.
        problems: [.unauthorized, .forbidden, .conflict])

    static let login = Endpoint(
        .post, "/api/v1/auth/login", access: .open,
        summary: "Exchange a username (or e-mail) and password for an access token and a refresh token.",
        body: .json(.object([
            .init("username", .string),
            .init("password", .string(format: "password")),
        ], required: ["username", "password"])),
        responses: [.json(.ok, "Tokens.", TokenIssuer.Pair.self, headers: ["Cache-Control": "no-store: tokens and secrets are not cached."])],
        // 401: wrong username or password; 403: the account is disabled; 429 (implied): too many failed logins.
        problems: [.unauthorized, .forbidden])

    static let refresh = Endpoint(
        .post, "/api/v1/auth/refresh", access: .open,
        summary: "Use a refresh token once for a new pair; a reused one revokes its whole session.",
        body: .json(.object([.init("refresh_token", .string)], required: ["refresh_token"])),
        responses: [.json(.ok, "Tokens.", TokenIssuer.Pair.self, headers: ["Cache-Control": "no-store: tokens and secrets are not cached."])],
        // 401: the refresh token is unknown, expired, revoked or reused, or its user is disabled.
        problems: [.unauthorized])

    static let logout = Endpoint(
        .post, "/api/v1/auth/logout", access: .authenticated,
        summary: "End the session - its refresh tokens stop working and the access token is refused until it expires.",
        body: .json(.object([.init("refresh_token", .string)]), required: false),
        responses: [.empty(.noContent, "Logged out.")])

    static let me = Endpoint(
        .get, "/api/v1/auth/me", access: .authenticated,
        summary: "The caller's account and the scopes of the credential used.",
        responses: [.json(.ok, "The caller.", SessionRoutes.Me.self)],
        // 404: the account was deleted after the credential was issued.
        problems: [.notFound])

    static let jwks = Endpoint(
        .get, "/api/v1/auth/.well-known/jwks.json", access: .open,
        summary: "The public keys (JWKS, ES256) that verify access tokens; retired keys stay until their tokens expire.",
        responses: [.json(.ok, "A JSON Web Key Set.", JWKSSchema.self, headers: ["Cache-Control": "public, max-age=60: the key set may be reused for a minute."])],
        problems: [.unauthorized])

    static let listAPIKeys = Endpoint(
        .get, "/api/v1/auth/api-keys", access: .authenticated,
        summary: "The caller's API keys (never their secrets).",
        responses: [.json(.ok, "Keys.", .object([.init("items", .array(.ref(APIKeyStore.Key.self)))], required: ["items"]))])

    static let createAPIKey = Endpoint(
        .post, "/api/v1/auth/api-keys", access: .authenticated,
        summary: "Create an API key; the secret is in this response only. Scopes may not exceed the caller's.",
        body: .json(.object([
            .init("name", .string(minLength: 1, maxLength: 100)),
            .init("scopes", .array(.string(enum: Scope.all.sorted()), minItems: 1,
                                   description: "At least one, none wider than the caller's; all of the caller's when absent.")),
            .init("expires_in_days", .integer(minimum: 1, maximum: 3650, description: "No value: the key does not expire.")),
        ], required: ["name"])),
        // 403 (implied): an API key cannot create keys; 422 (implied): bad name, scopes or lifetime.
        responses: [.json(.created, "The key (field key) and its description.", APIKeyRoutes.Created.self,
                          headers: ["Location": "The key's URL.", "Cache-Control": "no-store: tokens and secrets are not cached."])])

    static let revokeAPIKey = Endpoint(
        .delete, "/api/v1/auth/api-keys/{id}", access: .authenticated,
        summary: "Revoke one of the caller's keys (admins - anyone's).",
        parameters: [id],
        responses: [.empty(.noContent, "Revoked.")],
        // 404: no such key, or someone else's.
        problems: [.notFound])

    static let listUsers = Endpoint(
        .get, "/api/v1/auth/users", access: admin, summary: "List users.",
        parameters: [
            .query("limit", .integer(minimum: 1, maximum: 1000, default: 100)),
            .query("offset", .integer(minimum: 0, default: 0)),
        ],
        responses: [.json(.ok, "A page of users.", .object([
            .init("items", .array(.ref(User.View.self))), .init("total", .integer),
            .init("limit", .integer), .init("offset", .integer),
        ], required: ["items", "total", "limit", "offset"]))])

    static let createUser = Endpoint(
        .post, "/api/v1/auth/users", access: admin, summary: "Create a user with roles.",
        body: .json(.object(RegistrationSchema.properties + [.init("roles", .array(.string(Role.self), minItems: 1))],
                            required: RegistrationSchema.required)),
        responses: [.json(.created, "Created.", User.View.self, headers: ["Location": "The user's URL."])],
        // 409: the username or e-mail is taken.
        problems: [.conflict])

    static let user = Endpoint(
        .get, "/api/v1/auth/users/{id}", access: admin, summary: "One user.",
        parameters: [id],
        responses: [.json(.ok, "The user.", User.View.self)],
        problems: [.notFound])

    static let updateUser = Endpoint(
        .patch, "/api/v1/auth/users/{id}", access: admin,
        summary: "Change roles or disable; ends the user's sessions and refuses their current access tokens.",
        parameters: [id],
        body: .json(.object([
            .init("roles", .array(.string(Role.self), minItems: 1)),
            .init("disabled", .boolean),
        ])),
        responses: [.json(.ok, "The user.", User.View.self)],
        // 404: no such user; 409: an admin disabling themselves or dropping their own admin role.
        problems: [.notFound, .conflict])

    static let rotateKeys = Endpoint(
        .post, "/api/v1/auth/keys/rotate", access: admin, summary: "Replace the signing key now.",
        responses: [.json(.ok, "The new key id.", .object([.init("kid", .string)], required: ["kid"]))])

    static let introspect = Endpoint(
        .post, "/api/v1/auth/introspect", access: admin,
        summary: "Internal - is this API key live, and whose is it (the gateway calls it).",
        body: .json(.object([.init("key", .string)], required: ["key"])),
        responses: [.json(.ok, #"{"active": false} or the key principal."#, IntrospectionSchema.self)])

    static let revocations = Endpoint(
        .get, "/api/v1/auth/revocations", access: admin,
        summary: "Internal - the revocation feed after a cursor (the gateway follows it).",
        parameters: [.query("after", .integer(minimum: 0))],
        responses: [.json(.ok, "Entries and the new cursor.", RevocationStore.Page.self)])

    static let all: [Endpoint] = [
        register, login, refresh, logout, me, jwks, listAPIKeys, createAPIKey, revokeAPIKey,
        listUsers, createUser, user, updateUser, rotateKeys, introspect, revocations,
    ]
}

/// The body of `POST /api/v1/auth/register` (and, with roles, of `POST /api/v1/auth/users`).
enum RegistrationSchema: ContractSchema {
    static let properties: [JSONSchema.Property] = [
        .init("username", .string(pattern: "^[a-z0-9][a-z0-9._-]{2,31}$")),
        .init("email", .string(format: "email")),
        .init("password", .string(format: "password", minLength: 8, maxLength: 72, description: """
            At least auth.password_min_length characters (10 by default) and at most 72 bytes; not one of the most \
            common passwords, at least 4 different characters, not containing the username or the e-mail's local part.
            """)),
    ]
    static let required = ["username", "password"]
    static let contractSchema = SchemaComponent("Registration", .object(properties, required: required))
}

extension User.View: ContractSchema {
    /// `email` is absent when the user has none.
    static let contractSchema = SchemaComponent("User", .object([
        .init("id", .string),
        .init("username", .string),
        .init("email", .string),
        .init("roles", .array(.string)),
        .init("scopes", .array(.string)),
        .init("disabled", .boolean),
        .init("created_at", .dateTime),
    ], required: ["id", "username", "roles", "scopes", "disabled", "created_at"]))
}

extension TokenIssuer.Pair: ContractSchema {
    static let contractSchema = SchemaComponent("TokenPair", .object([
        .init("access_token", .string),
        .init("token_type", .string(enum: ["Bearer"])),
        .init("expires_in", .integer),
        .init("refresh_token", .string),
        .init("refresh_expires_in", .integer),
        .init("scope", .string),
        .init("user", .ref(User.View.self)),
    ], required: ["access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in", "scope", "user"]))
}

extension SessionRoutes.Me: ContractSchema {
    static let contractSchema = SchemaComponent("Me", .object([
        .init("user", .ref(User.View.self)),
        .init("credential", .string(enum: ["user", "api-key"], description: "The kind of credential used.")),
        .init("scopes", .array(.string, description: "The credential's scopes.")),
    ], required: ["user", "credential", "scopes"]))
}

extension APIKeyStore.Key: ContractSchema {
    /// `expires_at`, `revoked_at` and `last_used_at` are absent when unset.
    static let contractSchema = SchemaComponent("APIKey", .object([
        .init("id", .string),
        .init("name", .string),
        .init("scopes", .array(.string)),
        .init("created_at", .dateTime),
        .init("expires_at", .dateTime),
        .init("revoked_at", .dateTime),
        .init("last_used_at", .dateTime),
        .init("prefix", .string(description: "The visible start of the key, to recognise it.")),
    ], required: ["id", "name", "scopes", "created_at", "prefix"]))
}

extension APIKeyRoutes.Created: ContractSchema {
    static let contractSchema = SchemaComponent("CreatedAPIKey", .object([
        .init("key", .string(description: "The whole key; shown this once.")),
        .init("api_key", .ref(APIKeyStore.Key.self)),
    ], required: ["key", "api_key"]))
}

/// ``JWKSDocument`` on the wire.
enum JWKSSchema: ContractSchema {
    static let contractSchema = SchemaComponent("JWKS", .object([
        .init("keys", .array(.object([
            .init("kty", .string(enum: ["EC"])),
            .init("crv", .string(enum: ["P-256"])),
            .init("x", .string),
            .init("y", .string),
            .init("kid", .string),
            .init("alg", .string(enum: ["ES256"])),
            .init("use", .string(enum: ["sig"])),
        ], required: ["kty", "crv", "x", "y", "kid", "alg", "use"]))),
    ], required: ["keys"]))
}

/// ``Principal`` on the wire (its synthesized coding: camel-case keys, optionals absent when unset).
enum PrincipalSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Principal", .object([
        .init("subject", .string),
        .init("username", .string),
        .init("roles", .array(.string)),
        .init("scopes", .array(.string)),
        .init("kind", .string(enum: ["user", "api-key"])),
        .init("credentialID", .string),
        .init("expiresAt", .number(description: "Seconds since 1970.")),
        .init("sessionID", .string),
    ], required: ["subject", "username", "roles", "scopes", "kind", "credentialID"]))
}

/// ``APIKeyIntrospection`` on the wire.
enum IntrospectionSchema: ContractSchema {
    static let contractSchema = SchemaComponent("APIKeyIntrospection", .object([
        .init("active", .boolean),
        .init("principal", .ref(PrincipalSchema.self)),
    ], required: ["active"]))
}

extension RevocationStore.Page: ContractSchema {
    static let contractSchema = SchemaComponent("RevocationPage", .object([
        .init("cursor", .integer),
        .init("entries", .array(.object([
            .init("kind", .string(enum: ["token", "session", "subject", "api-key"])),
            .init("id", .string),
            .init("until", .number(description: "Seconds since 1970.")),
        ], required: ["kind", "id", "until"]))),
    ], required: ["cursor", "entries"]))
}
