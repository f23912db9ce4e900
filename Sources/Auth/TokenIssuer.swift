import Foundation
import ServiceKit

/// Makes the token pair a login or refresh answers with.
struct TokenIssuer: Sendable {
    let keys: KeyRing
    let issuer: String
    let audience: String
    let accessSeconds: Int64
    let refreshSeconds: Int64

    /// The body of a successful login or refresh (RFC 6749 §5.1 field names).
    struct Pair: Encodable {
        let access_token: String
        let token_type = "Bearer"
        let expires_in: Int64
        let refresh_token: String
        let refresh_expires_in: Int64
        let scope: String
        let user: User.View
    }

    func issue(for user: User, session: SessionStore.Issued) async throws -> Pair {
        let now = Date().timeIntervalSince1970
        let scope = user.scopes.sorted().joined(separator: " ")
        let claims = AccessClaims(iss: issuer, aud: [audience], sub: user.id, exp: (now + Double(accessSeconds)).rounded(.down),
                                  iat: now, nbf: nil, jti: UUID().uuidString.lowercased(), name: user.username, roles: user.roles,
                                  scope: scope, sid: session.sessionID)
        return Pair(access_token: try await keys.sign(claims), expires_in: accessSeconds, refresh_token: session.refreshToken,
                    refresh_expires_in: refreshSeconds, scope: scope, user: user.view)
    }
}
