import AsyncHTTPClient
import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import HummingbirdTesting
import NIOCore
import NIOHTTP1
@testable import Auth
@testable import Gateway
import MarketData
import ServiceKit

/// A small live platform on real sockets: the gateway in front of the real `auth` and `data` services and a
/// catch-all upstream registered as `portfolio` (routes under the conventional portfolio scopes), all sharing
/// one internal secret, as `bourse up` runs them.
struct Platform: Sendable {
    static let secret = "platform-test-secret"

    let gatewayPort: Int
    let authPort: Int
    let dataPort: Int
    let adminPassword: String
    let authDatabase: Database
    let gateway: GatewayService

    /// Runs `body` with the platform up. `gatewaySettings` override the gateway's configuration.
    static func run(gatewaySettings: [String: String] = [:], authSettings: [String: String] = [:], logger: Logger = TestSupport.logger,
                    _ body: @escaping @Sendable (Platform) async throws -> Void) async throws {
        let common = [ConfigKey.internalSecret.name: secret]
        let authDir = TestSupport.temporaryDirectory()
        var authConfig = common.merging(["auth.bcrypt_cost": "10", ConfigKey.dataDir.name: authDir]) { $1 }
        authConfig.merge(authSettings) { $1 }
        try await TestSupport.withService(AuthService.self, settings: authConfig, logger: logger) { _, authEnvironment, authApp in
            try await authApp.test(.live) { auth in
                try await TestSupport.withService(MarketDataService.self, settings: common, logger: logger) { _, _, dataApp in
                    try await dataApp.test(.live) { data in
                        try await catchAll().test(.live) { portfolio in
                            var settings = common.merging([
                                "gateway.rate_limits": "*:*=100000/min", "gateway.health_check_interval_seconds": "0",
                                "gateway.revocation_poll_seconds": "0.2", "gateway.jwks_min_refresh_seconds": "1",
                            ]) { $1 }
                            settings.merge(gatewaySettings) { $1 }
                            try await TestSupport.withService(GatewayService.self, settings: settings, logger: logger) { gateway, _, gatewayApp in
                                for (name, port, policy) in [("auth", auth.port!, AuthService.descriptor.access),
                                                             ("data", data.port!, MarketDataService.descriptor.access),
                                                             ("portfolio", portfolio.port!, AccessPolicy.conventional(service: "portfolio"))] {
                                    gateway.pool.upsert(.init(service: name, id: "\(name)-1", url: "http://127.0.0.1:\(port)", version: "1"),
                                                        lease: .seconds(600))
                                    gateway.access.update(service: name, policy: policy)
                                }
                                try await gatewayApp.test(.live) { edge in
                                    let password = try String(contentsOfFile: authDir + "/" + InitialAdmin.fileName, encoding: .utf8)
                                        .trimmingCharacters(in: .whitespacesAndNewlines)
                                    try await body(Platform(gatewayPort: edge.port!, authPort: auth.port!, dataPort: data.port!,
                                                            adminPassword: password, authDatabase: authEnvironment.database!, gateway: gateway))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Answers every request with 200, the identity headers it received and whether a credential reached it.
    static func catchAll() -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router()
        router.on("/**", method: .get) { request, _ in identity(request) }
        router.on("/**", method: .post) { request, _ in identity(request) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Sendable static func identity(_ request: Request) -> String {
        (request.headers[Principal.subjectHeader] ?? "-") + " " + (request.headers[Principal.scopesHeader] ?? "-")
            + (request.headers[.authorization] != nil || request.headers[HTTPField.Name("X-API-Key")!] != nil ? " credential-forwarded" : "")
    }

    // MARK: - Calls

    struct Reply: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer

        var text: String { String(buffer: body) }
        func json() throws -> [String: Any] {
            (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
        }
    }

    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, headers: [(String, String)] = [],
              json: [String: Any]? = nil, port: Int? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port ?? gatewayPort)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return Reply(status: Int(response.status.code), headers: response.headers, body: try await response.body.collect(upTo: 8 << 20))
    }

    struct Tokens: Sendable {
        let access: String
        let refresh: String
    }

    func login(_ username: String, _ password: String) async throws -> Tokens {
        let reply = try await call(.POST, "/api/v1/auth/login", json: ["username": username, "password": password])
        guard reply.status == 200 else { throw Failure("login of \(username) answered \(reply.status): \(reply.text)") }
        let body = try reply.json()
        return Tokens(access: body["access_token"] as? String ?? "", refresh: body["refresh_token"] as? String ?? "")
    }

    func adminTokens() async throws -> Tokens { try await login("admin", adminPassword) }

    /// Creates a user with `roles` (as the admin) and logs them in.
    func user(_ name: String, roles: [String], password: String = "a long enough test passphrase") async throws -> Tokens {
        let admin = try await adminTokens()
        let reply = try await call(.POST, "/api/v1/auth/users", token: admin.access,
                                   json: ["username": name, "password": password, "roles": roles])
        guard reply.status == 201 else { throw Failure("creating \(name) answered \(reply.status): \(reply.text)") }
        return try await login(name, password)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension Platform {
    /// Reads the revocation feed once, as the gateway's background follower does every interval.
    func syncRevocations() async {
        await RevocationFollower(authenticator: gateway.authenticator, interval: .seconds(1), maxTokenLifetime: 86_400,
                                 logger: TestSupport.logger).poll()
    }
}
