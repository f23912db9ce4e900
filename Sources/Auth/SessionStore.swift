import Foundation
import SQLKit
import ServiceKit

/// Login sessions (refresh-token families) and their refresh tokens. A refresh token is opaque, stored only as
/// its SHA-256, and single-use: using it marks it used and issues the next one of the same family; presenting a
/// used one again means it was stolen (or replayed), so the whole family is revoked (RFC 9700 §4.14.2).
struct SessionStore: Sendable {
    let database: Database
    let refreshSeconds: Int64
    let accessSeconds: Int64

    struct Issued: Sendable {
        let userID: String
        let sessionID: String
        let refreshToken: String
    }

    func start(userID: String, in sql: any SQLDatabase) async throws -> Issued {
        let now = Secrets.now()
        let session = UUID().uuidString.lowercased()
        try await sql.raw("""
            INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (\(bind: session), \(bind: userID), \(bind: now), \(bind: now + refreshSeconds))
            """).run()
        return Issued(userID: userID, sessionID: session, refreshToken: try await newToken(session: session, now: now, in: sql))
    }

    private func newToken(session: String, now: Int64, in sql: any SQLDatabase) async throws -> String {
        let token = "rt_" + Secrets.random()
        try await sql.raw("""
            INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at)
            VALUES (\(bind: Secrets.hash(token)), \(bind: session), \(bind: now), \(bind: now + refreshSeconds))
            """).run()
        return token
    }

    enum Rotation: Sendable {
        case rotated(Issued)
        /// Unknown, expired, or its session was revoked.
        case invalid
        /// Already used: the family has just been revoked.
        case reused(userID: String)
    }

    /// Uses `token` once, in one transaction: the conditional UPDATE … RETURNING makes two concurrent uses of the
    /// same token impossible to both succeed (the loser sees it used and revokes the family).
    func rotate(_ token: String) async throws -> Rotation {
        let hash = Secrets.hash(token)
        let engine = database.engine
        let accessSeconds = accessSeconds
        return try await database.transaction { sql in
            let now = Secrets.now()
            struct Claimed: Decodable { let session_id: String; let expires_at: Int64 }
            struct Session: Decodable { let user_id: String; let expires_at: Int64; let revoked_at: Int64? }
            if let claimed = try await sql.raw("""
                UPDATE refresh_tokens SET used_at = \(bind: now) WHERE token_hash = \(bind: hash) AND used_at IS NULL
                RETURNING session_id, expires_at
                """).first(decoding: Claimed.self) {
                guard claimed.expires_at > now,
                      let session = try await sql.raw("SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = \(bind: claimed.session_id)")
                        .first(decoding: Session.self),
                      session.revoked_at == nil, session.expires_at > now else { return .invalid }
                let next = try await self.newToken(session: claimed.session_id, now: now, in: sql)
                return .rotated(Issued(userID: session.user_id, sessionID: claimed.session_id, refreshToken: next))
            }
            struct Used: Decodable { let session_id: String }
            guard let used = try await sql.raw("SELECT session_id FROM refresh_tokens WHERE token_hash = \(bind: hash)").first(decoding: Used.self),
                  let session = try await sql.raw("SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = \(bind: used.session_id)")
                    .first(decoding: Session.self) else { return .invalid }
            if session.revoked_at == nil {
                try await Self.revoke(session: used.session_id, reason: "refresh token reuse", accessSeconds: accessSeconds, engine: engine, in: sql)
            }
            return .reused(userID: session.user_id)
        }
    }

    /// The session a refresh token belongs to, if it is one of `userID`'s.
    func session(of token: String, userID: String) async throws -> String? {
        struct Row: Decodable { let session_id: String }
        return try await database.withSQL { sql in
            try await sql.raw("""
                SELECT t.session_id FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
                WHERE t.token_hash = \(bind: Secrets.hash(token)) AND s.user_id = \(bind: userID)
                """).first(decoding: Row.self)?.session_id
        }
    }

    /// Ends a session: its refresh tokens stop working and its access tokens are refused until they expire.
    static func revoke(session: String, reason: String, accessSeconds: Int64, engine: Database.Engine, in sql: any SQLDatabase) async throws {
        let now = Secrets.now()
        try await sql.raw("""
            UPDATE sessions SET revoked_at = \(bind: now), revoked_reason = \(bind: reason) WHERE id = \(bind: session) AND revoked_at IS NULL
            """).run()
        try await RevocationStore.add(.init(kind: .session, id: session, until: Double(now + accessSeconds)), engine: engine, in: sql)
    }

    /// Ends every session of a user (disabled, or roles changed) and refuses every access token issued so far.
    static func revokeAll(userID: String, reason: String, engine: Database.Engine, in sql: any SQLDatabase) async throws {
        let now = Secrets.now()
        try await sql.raw("""
            UPDATE sessions SET revoked_at = \(bind: now), revoked_reason = \(bind: reason) WHERE user_id = \(bind: userID) AND revoked_at IS NULL
            """).run()
        // Rounded up: a token issued in this second, before the change, is refused too.
        try await RevocationStore.add(.init(kind: .subject, id: userID, until: Double(now + 1)), engine: engine, in: sql)
    }
}
