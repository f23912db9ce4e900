import Foundation
import JWTKit

/// The claims of a Bourse access token (RFC 9068-style JWT, signed ES256, `kid` in the header).
///
/// Time claims are checked by ``AccessTokenVerifier`` against its own clock (so tests can move time), not in
/// ``verify(using:)``: jwt-kit calls that after the signature check, and the verifier runs right after it.
public struct AccessClaims: JWTPayload, Equatable {
    public var iss: String
    public var aud: [String]
    public var sub: String
    public var exp: Double
    public var iat: Double
    public var nbf: Double?
    public var jti: String
    /// The username, for logs and the dashboard.
    public var name: String
    public var roles: [String]
    /// Space-separated scopes (RFC 8693 §4.2).
    public var scope: String
    /// The refresh-token family (login session) this token was issued in.
    public var sid: String?

    public init(iss: String, aud: [String], sub: String, exp: Double, iat: Double, nbf: Double? = nil, jti: String,
                name: String, roles: [String], scope: String, sid: String?) {
        self.iss = iss
        self.aud = aud
        self.sub = sub
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.jti = jti
        self.name = name
        self.roles = roles
        self.scope = scope
        self.sid = sid
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    public var principal: Principal {
        Principal(subject: sub, username: name, roles: roles, scopes: Set(scope.split(separator: " ").map(String.init)),
                  kind: .user, credentialID: jti, expiresAt: exp, sessionID: sid)
    }

    // `aud` may be one string or an array (RFC 7519 §4.1.3).
    enum CodingKeys: String, CodingKey { case iss, aud, sub, exp, iat, nbf, jti, name, roles, scope, sid }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iss = try c.decode(String.self, forKey: .iss)
        if let single = try? c.decode(String.self, forKey: .aud) { aud = [single] } else { aud = try c.decode([String].self, forKey: .aud) }
        sub = try c.decode(String.self, forKey: .sub)
        exp = try c.decode(Double.self, forKey: .exp)
        iat = try c.decode(Double.self, forKey: .iat)
        nbf = try c.decodeIfPresent(Double.self, forKey: .nbf)
        jti = try c.decode(String.self, forKey: .jti)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        roles = try c.decodeIfPresent([String].self, forKey: .roles) ?? []
        scope = try c.decodeIfPresent(String.self, forKey: .scope) ?? ""
        sid = try c.decodeIfPresent(String.self, forKey: .sid)
    }
}

/// A JSON Web Key Set (RFC 7517) of ES256 public keys, as `GET /api/v1/auth/.well-known/jwks.json` serves it.
public struct JWKSDocument: Codable, Sendable, Equatable {
    public struct Key: Codable, Sendable, Equatable {
        public var kty: String
        public var crv: String
        public var x: String
        public var y: String
        public var kid: String
        public var alg: String
        public var use: String

        public init(kid: String, x: String, y: String) {
            self.kty = "EC"
            self.crv = "P-256"
            self.x = x
            self.y = y
            self.kid = kid
            self.alg = "ES256"
            self.use = "sig"
        }
    }

    public var keys: [Key]

    public init(keys: [Key]) { self.keys = keys }
}
