import Foundation
import JWTKit
import Synchronization

/// Verifies Bourse access tokens locally, against the auth service's published keys (JWKS).
///
/// Stricter than a generic JWT library on purpose: the header must say `alg: ES256` (so `none`, HMAC
/// "algorithm confusion" and anything else fail before any key is touched) and carry a `kid` that is in the key
/// set (jwt-kit would otherwise fall back to a default key). Then the signature (jwt-kit), `exp`/`nbf` against
/// this verifier's clock with a small leeway, `iss`, `aud`, and the revocation list. A token that passed is
/// remembered until it expires, so a repeat costs a dictionary lookup and a revocation check rather than an
/// ECDSA verification.
public final class AccessTokenVerifier: Sendable {
    public enum Rejection: Error, Sendable, Equatable {
        case malformed(String)
        case unsupportedAlgorithm(String)
        case unknownKeyID(String)
        case badSignature
        case expired
        case notYetValid
        case wrongIssuer
        case wrongAudience
        case revoked

        /// Said to the client in the problem and the `WWW-Authenticate` header's `error_description`.
        public var reason: String {
            switch self {
            case .malformed(let why): return "the token is malformed: \(why)"
            case .unsupportedAlgorithm(let alg): return "tokens signed with \"\(alg)\" are not accepted (ES256 only)"
            case .unknownKeyID(let kid): return "the token's signing key \"\(kid)\" is not known"
            case .badSignature: return "the token's signature is invalid"
            case .expired: return "the token has expired"
            case .notYetValid: return "the token is not valid yet"
            case .wrongIssuer: return "the token was issued by someone else"
            case .wrongAudience: return "the token is not meant for this platform"
            case .revoked: return "the token has been revoked"
            }
        }
    }

    public let issuer: String
    public let audience: String
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    public let leeway: Double
    public let revocations: RevocationList
    private let keys = Mutex<KeySet>(KeySet(collection: JWTKeyCollection(), ids: []))
    private let verified = Mutex<[String: Verified]>([:])
    private let maxCached: Int

    struct KeySet {
        let collection: JWTKeyCollection
        let ids: Set<String>
    }

    struct Verified {
        let identity: ForwardedIdentity
        let issuedAt: Double
        let notBefore: Double?
        var principal: Principal { identity.principal }
    }

    public init(issuer: String, audience: String, leeway: Double = 5, revocations: RevocationList = RevocationList(), maxCached: Int = 50_000) {
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.revocations = revocations
        self.maxCached = maxCached
    }

    /// Replaces the key set (keys that are gone stop verifying at once).
    public func install(_ jwks: JWKSDocument) async throws {
        let collection = JWTKeyCollection()
        var ids = Set<String>()
        for key in jwks.keys where key.kty == "EC" && key.crv == "P-256" && key.alg == "ES256" {
            let publicKey = try ES256PublicKey(parameters: (x: key.x, y: key.y))
            await collection.add(ecdsa: publicKey, kid: JWKIdentifier(string: key.kid))
            ids.insert(key.kid)
        }
        let changed = keys.withLock { current in
            defer { current = KeySet(collection: collection, ids: ids) }
            return current.ids != ids
        }
        // A withdrawn key must stop verifying at once, including tokens remembered as valid.
        if changed { verified.withLock { $0.removeAll() } }
    }

    public var keyIDs: Set<String> { keys.withLock { $0.ids } }

    /// The principal of a valid token, or why it is refused.
    public func verify(_ token: String, now: Double = Date().timeIntervalSince1970) async throws(Rejection) -> Principal {
        if let hit = verified.withLock({ $0[token] }) {
            try check(times: hit, now: now)
            guard !revocations.isRevoked(hit.principal, issuedAt: hit.issuedAt) else { throw .revoked }
            return hit.principal
        }
        let kid = try Self.keyID(ofAcceptable: token)
        let set = keys.withLock { $0 }
        guard set.ids.contains(kid) else { throw .unknownKeyID(kid) }
        let claims: AccessClaims
        do {
            claims = try await set.collection.verify(token, as: AccessClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch {
            throw .malformed("the signature or claims could not be read")
        }
        guard claims.iss == issuer else { throw .wrongIssuer }
        guard claims.aud.contains(audience) else { throw .wrongAudience }
        let entry = Verified(identity: ForwardedIdentity(claims.principal), issuedAt: claims.iat, notBefore: claims.nbf)
        try check(times: entry, now: now)
        guard !revocations.isRevoked(entry.principal, issuedAt: entry.issuedAt) else { throw .revoked }
        verified.withLock { cache in
            if cache.count >= maxCached { cache = cache.filter { ($0.value.principal.expiresAt ?? 0) > now } }
            if cache.count < maxCached { cache[token] = entry }
        }
        return entry.principal
    }

    /// The principal of a token verified before and still valid (times and revocations checked now), without
    /// any suspension: `nil` means "not known to be valid", and the caller verifies it the full way.
    public func cachedIdentity(for token: String, now: Double = Date().timeIntervalSince1970) -> ForwardedIdentity? {
        guard let hit = verified.withLock({ $0[token] }) else { return nil }
        guard (try? check(times: hit, now: now)) != nil, !revocations.isRevoked(hit.principal, issuedAt: hit.issuedAt) else { return nil }
        return hit.identity
    }

    private func check(times entry: Verified, now: Double) throws(Rejection) {
        if let exp = entry.principal.expiresAt, now > exp + leeway { throw .expired }
        if let nbf = entry.notBefore, now + leeway < nbf { throw .notYetValid }
        if now + leeway < entry.issuedAt { throw .notYetValid }
    }

    /// The `kid` of a token whose header is well-formed and says ES256; the signature is not checked here.
    static func keyID(ofAcceptable token: String) throws(Rejection) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { throw .malformed("a JWT has three dot-separated parts") }
        guard let headerData = Data(base64URL: String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw .malformed("the header is not base64url JSON")
        }
        guard let alg = header["alg"] as? String else { throw .malformed("the header has no alg") }
        guard alg == "ES256" else { throw .unsupportedAlgorithm(alg) }
        if let typ = header["typ"] as? String, !["JWT", "at+jwt"].contains(typ) { throw .malformed("typ \"\(typ)\" is not a JWT") }
        guard let kid = header["kid"] as? String, !kid.isEmpty else { throw .malformed("the header has no kid") }
        guard !parts[2].isEmpty else { throw .badSignature }
        return kid
    }
}

extension Data {
    /// Decodes base64url without padding (RFC 4648 §5), as JWTs use it.
    public init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }

    /// base64url without padding.
    public var base64URLString: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
