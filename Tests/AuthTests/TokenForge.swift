import Crypto
import Foundation
import JWTKit
import SQLKit
@testable import ServiceKit

/// Makes tokens an attacker (or a broken issuer) would send, signed with the auth service's real key where the
/// attack needs a valid signature, so each test isolates one defect.
struct TokenForge {
    let kid: String
    let privateKey: P256.Signing.PrivateKey

    static func load(from database: Database) async throws -> TokenForge {
        struct Row: Decodable { let kid: String; let private_key_pem: String }
        let row = try await database.withSQL { sql in
            try await sql.raw("SELECT kid, private_key_pem FROM signing_keys WHERE retired_at IS NULL").first(decoding: Row.self)
        }
        guard let row else { throw Platform.Failure("no signing key") }
        return TokenForge(kid: row.kid, privateKey: try P256.Signing.PrivateKey(pemRepresentation: row.private_key_pem))
    }

    /// Claims as the auth service would issue them for `sub`, with `change` applied.
    func claims(sub: String = "u-forged", scope: String = "data:read", _ change: (inout AccessClaims) -> Void = { _ in }) -> AccessClaims {
        let now = Date().timeIntervalSince1970
        var claims = AccessClaims(iss: "bourse", aud: ["bourse-api"], sub: sub, exp: now + 600, iat: now, jti: UUID().uuidString,
                                  name: "mallory", roles: ["admin"], scope: scope, sid: nil)
        change(&claims)
        return claims
    }

    /// Signs with the real key (ES256) and a header with `kid` (or none).
    func sign(_ claims: AccessClaims, kid: String?? = .none, with key: P256.Signing.PrivateKey? = nil) throws -> String {
        var header: [String: Any] = ["alg": "ES256", "typ": "JWT"]
        switch kid {
        case .none: header["kid"] = self.kid
        case .some(.none): break
        case .some(.some(let other)): header["kid"] = other
        }
        let input = try Self.encode(header) + "." + Self.encode(claims)
        let signature = try (key ?? privateKey).signature(for: Data(input.utf8))
        return input + "." + signature.rawRepresentation.base64URLString
    }

    /// `alg: none` with an empty signature.
    func unsigned(_ claims: AccessClaims) throws -> String {
        try Self.encode(["alg": "none", "kid": kid, "typ": "JWT"]) + "." + Self.encode(claims) + "."
    }

    /// The classic algorithm-confusion attack: HS256, keyed with the public key the JWKS publishes.
    func hmacWithPublicKey(_ claims: AccessClaims) throws -> String {
        let input = try Self.encode(["alg": "HS256", "kid": kid, "typ": "JWT"]) + "." + Self.encode(claims)
        let key = SymmetricKey(data: Data(privateKey.publicKey.pemRepresentation.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)
        return input + "." + Data(mac).base64URLString
    }

    static func encode(_ header: [String: Any]) throws -> String {
        try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]).base64URLString
    }

    static func encode(_ claims: AccessClaims) throws -> String {
        try JSONEncoder().encode(claims).base64URLString
    }
}
