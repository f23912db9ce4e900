import Foundation
import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// The `auth` service: users, passwords (bcrypt), ES256 access tokens with a rotating published key set,
/// rotating refresh tokens with reuse detection, API keys, roles and scopes, and the revocation feed the gateway
/// follows.
public struct AuthService: BourseService {
    public static let accessTokenSeconds = ConfigKey(
        "auth.access_token_seconds", .integer(30...86_400), default: "900", help: "Lifetime of an access token.")
    public static let refreshTokenDays = ConfigKey(
        "auth.refresh_token_days", .integer(1...365), default: "30", help: "Lifetime of a login session (its refresh tokens).")
    public static let bcryptCost = ConfigKey(
        "auth.bcrypt_cost", .integer(10...16), default: "12", help: "bcrypt cost of password hashes (10 at least).")
    public static let passwordMinimum = ConfigKey(
        "auth.password_min_length", .integer(8...72), default: "10", help: "Shortest password accepted.")
    public static let registration = ConfigKey(
        "auth.registration", .choice(["open", "closed"]), default: "open",
        help: "`open`: anyone may register (as a viewer); `closed`: only admins create users.")
    public static let keyRotationHours = ConfigKey(
        "auth.key_rotation_hours", .integer(1...87_600), default: "720", help: "Age at which the signing key is replaced.")

    public static let descriptor = ServiceDescriptor(
        name: "auth",
        keys: [.authIssuer, .authAudience, accessTokenSeconds, refreshTokenDays, bcryptCost, passwordMinimum, registration, keyRotationHours],
        migrations: AuthMigrations.all,
        summary: "Users, passwords, access and refresh tokens, API keys, roles and scopes.",
        endpoints: AuthContract.all)

    let context: AuthContext

    public init(environment: ServiceEnvironment) async throws {
        let database = environment.requiredDatabase
        let config = environment.configuration
        let accessSeconds = Int64(config.int(Self.accessTokenSeconds))
        let refreshSeconds = Int64(config.int(Self.refreshTokenDays)) * 86_400
        let keys = KeyRing(database: database, rotationSeconds: Int64(config.int(Self.keyRotationHours)) * 3600,
                           accessTokenSeconds: accessSeconds, logger: environment.logger)
        try await keys.refresh()
        context = AuthContext(
            database: database, users: UserStore(database: database),
            sessions: SessionStore(database: database, refreshSeconds: refreshSeconds, accessSeconds: accessSeconds),
            apiKeys: APIKeyStore(database: database), revocations: RevocationStore(database: database),
            throttle: LoginThrottle(database: database), keys: keys,
            passwords: Passwords(cost: config.int(Self.bcryptCost), minimumLength: config.int(Self.passwordMinimum)),
            issuer: TokenIssuer(keys: keys, issuer: config.string(.authIssuer) ?? "bourse", audience: config.string(.authAudience) ?? "bourse-api",
                                accessSeconds: accessSeconds, refreshSeconds: refreshSeconds),
            openRegistration: config.string(Self.registration) == "open")
        try await InitialAdmin.ensure(context: context, dataDir: config.string(.dataDir) ?? "./data", logger: environment.logger)
    }

    public func addRoutes(to router: ServiceRouter) {
        SessionRoutes(auth: context).add(to: router)
        APIKeyRoutes(auth: context).add(to: router)
        AdminRoutes(auth: context).add(to: router)
    }

    public var backgroundServices: [any Service] { [KeyRotation(keys: context.keys, logger: context.keys.logger)] }
}

/// Everything the auth routes share.
struct AuthContext: Sendable {
    let database: Database
    let users: UserStore
    let sessions: SessionStore
    let apiKeys: APIKeyStore
    let revocations: RevocationStore
    let throttle: LoginThrottle
    let keys: KeyRing
    let passwords: Passwords
    let issuer: TokenIssuer
    let openRegistration: Bool
}

/// Reloads the key ring every minute (rotations by other replicas) and rotates when the signing key is due.
struct KeyRotation: Service {
    let keys: KeyRing
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                do { try await keys.refresh() } catch { logger.error("signing keys could not be refreshed", metadata: ["error": "\(error)"]) }
            }
        }
    }
}
