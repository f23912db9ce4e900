import Crypto
import Foundation
import Logging
import NIOFoundationCompat
import ServiceKit
import Synchronization

/// Establishes who a request comes from at the edge: access tokens are verified locally against the auth
/// service's JWKS (fetched on first use and again on an unknown `kid`, at most once per `jwksMinInterval`);
/// API keys are introspected by the auth service and the answer is kept for `apiKeyTTL`, so a key costs one
/// call per TTL, not one per request.
final class GatewayAuthenticator: Sendable {
    let verifier: AccessTokenVerifier
    let peers: PeerClient
    let apiKeyTTL: Duration
    let jwksMinInterval: Duration
    let logger: Logger
    private let lastJWKSFetch = Mutex<ContinuousClock.Instant?>(nil)
    private let apiKeys = Mutex<[String: CachedKey]>([:])

    struct CachedKey {
        let identity: ForwardedIdentity?
        let until: ContinuousClock.Instant
        var principal: Principal? { identity?.principal }
    }

    enum Credential {
        case bearer(String)
        case apiKey(String)
    }

    /// Why a credential is refused; said in the 401.
    struct Refusal: Error {
        let reason: String
    }

    init(verifier: AccessTokenVerifier, peers: PeerClient, apiKeyTTL: Duration, jwksMinInterval: Duration, logger: Logger) {
        self.verifier = verifier
        self.peers = peers
        self.apiKeyTTL = apiKeyTTL
        self.jwksMinInterval = jwksMinInterval
        self.logger = logger
    }

    /// The credential a request presents: `Authorization: Bearer …`, `Authorization: ApiKey …` or `X-API-Key`.
    static func credential(authorization: String?, apiKey: String?) throws(Refusal) -> Credential? {
        if let apiKey, !apiKey.isEmpty { return .apiKey(apiKey) }
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { throw Refusal(reason: "the Authorization header is not \"Bearer <token>\" or \"ApiKey <key>\"") }
        switch parts[0].lowercased() {
        case "bearer": return .bearer(parts[1].trimmingCharacters(in: .whitespaces))
        case "apikey": return .apiKey(parts[1].trimmingCharacters(in: .whitespaces))
        default: throw Refusal(reason: "the \(parts[0]) authorization scheme is not accepted (Bearer or ApiKey)")
        }
    }

    func authenticate(_ credential: Credential) async throws(Refusal) -> Principal {
        switch credential {
        case .bearer(let token): return try await verify(token: token)
        case .apiKey(let key): return try await introspect(key: key)
        }
    }

    private func verify(token: String) async throws(Refusal) -> Principal {
        do {
            return try await verifier.verify(token)
        } catch .unknownKeyID(let kid) {
            // A new signing key (rotation) or a forged kid: look once, at a bounded rate, then decide.
            // With no key set at all yet (the auth service has just started), waiting out the interval helps nobody.
            guard await refreshKeys(force: verifier.keyIDs.isEmpty), verifier.keyIDs.contains(kid) else { throw Refusal(reason: AccessTokenVerifier.Rejection.unknownKeyID(kid).reason) }
            do { return try await verifier.verify(token) } catch { throw Refusal(reason: error.reason) }
        } catch {
            throw Refusal(reason: error.reason)
        }
    }

    /// Fetches the JWKS unless that was done less than `jwksMinInterval` ago (or `force`); `true` when a fetch
    /// succeeded now.
    @discardableResult
    func refreshKeys(force: Bool = false) async -> Bool {
        let now = ContinuousClock.now
        let due = lastJWKSFetch.withLock { last -> Bool in
            if !force, let last, now - last < jwksMinInterval { return false }
            last = now
            return true
        }
        guard due else { return false }
        do {
            let reply = try await peers.send("auth", .GET, "/api/v1/auth/.well-known/jwks.json", deadline: .now + .seconds(3))
            guard reply.status == 200 else { throw Refusal(reason: "status \(reply.status)") }
            try await verifier.install(try JSONDecoder().decode(JWKSDocument.self, from: Data(buffer: reply.body)))
            return true
        } catch {
            logger.warning("the auth service's keys could not be fetched", metadata: ["error": .string("\(error)")])
            return false
        }
    }

    private func introspect(key: String) async throws(Refusal) -> Principal {
        let cacheKey = SHA256.hash(data: Data(key.utf8)).hexString
        let now = ContinuousClock.now
        if let hit = apiKeys.withLock({ $0[cacheKey] }), hit.until > now {
            guard let principal = hit.principal, !verifier.revocations.isRevoked(principal, issuedAt: nil) else {
                throw Refusal(reason: "the API key is unknown, expired or revoked")
            }
            return principal
        }
        let answer: APIKeyIntrospection
        do {
            let reply = try await peers.send("auth", .POST, "/api/v1/auth/introspect", json: ["key": key], deadline: .now + .seconds(3))
            guard reply.status == 200 else { throw Refusal(reason: "status \(reply.status)") }
            answer = try JSONDecoder().decode(APIKeyIntrospection.self, from: Data(buffer: reply.body))
        } catch {
            logger.warning("API key introspection failed", metadata: ["error": .string("\(error)")])
            throw Refusal(reason: "the API key could not be checked right now")
        }
        let principal = answer.active ? answer.principal : nil
        apiKeys.withLock { cache in
            if cache.count > 10_000 { cache = cache.filter { $0.value.until > now } }
            cache[cacheKey] = CachedKey(identity: principal.map(ForwardedIdentity.init), until: now + apiKeyTTL)
        }
        guard let principal else { throw Refusal(reason: "the API key is unknown, expired or revoked") }
        return principal
    }

    /// The principal of an API key whose introspection is cached, still fresh and not revoked; `nil` otherwise
    /// (then ``authenticate(_:)`` asks the auth service). Never suspends.
    func cachedAPIKeyIdentity(_ key: String) -> ForwardedIdentity? {
        let cacheKey = SHA256.hash(data: Data(key.utf8)).hexString
        guard let hit = apiKeys.withLock({ $0[cacheKey] }), hit.until > .now, let identity = hit.identity,
              !verifier.revocations.isRevoked(identity.principal, issuedAt: nil) else { return nil }
        return identity
    }

    /// Forgets every cached key introspection (a user was disabled or changed: their keys change with them).
    func forgetAPIKeys() {
        apiKeys.withLock { $0.removeAll() }
    }
}
