import Crypto
import Foundation
import SQLKit
import ServiceKit

/// API keys: `bk_<id>_<secret>`, shown once at creation, stored as the SHA-256 of the whole key. The id is the
/// lookup handle (and what lists, logs and revocations name); the secret never leaves the response that made it.
struct APIKeyStore: Sendable {
    let database: Database

    struct Key: Sendable, Encodable {
        let id: String
        let name: String
        let scopes: [String]
        let created_at: String
        let expires_at: String?
        let revoked_at: String?
        let last_used_at: String?
        /// The visible start of the key, to recognise it.
        let prefix: String
    }

    struct Row: Decodable {
        let id: String
        let user_id: String
        let name: String
        let secret_hash: String
        let scopes: String
        let created_at: Int64
        let expires_at: Int64?
        let revoked_at: Int64?
        let last_used_at: Int64?

        var key: Key {
            func iso(_ t: Int64?) -> String? { t.map { Date(timeIntervalSince1970: Double($0)).formatted(.iso8601) } }
            return Key(id: id, name: name, scopes: scopes.split(separator: " ").map(String.init), created_at: iso(created_at)!,
                       expires_at: iso(expires_at), revoked_at: iso(revoked_at), last_used_at: iso(last_used_at), prefix: "bk_\(id)_")
        }
    }

    static let columns = "id, user_id, name, secret_hash, scopes, created_at, expires_at, revoked_at, last_used_at"

    /// Makes a key; returns its description and the full key (the only time it exists outside the caller).
    func create(userID: String, name: String, scopes: Set<String>, expiresAt: Int64?) async throws -> (Key, String) {
        let id = Secrets.random(bytes: 9).replacingOccurrences(of: "_", with: "x").replacingOccurrences(of: "-", with: "y")
        let secret = "bk_\(id)_" + Secrets.random()
        let now = Secrets.now()
        let row = Row(id: id, user_id: userID, name: name, secret_hash: Secrets.hash(secret), scopes: scopes.sorted().joined(separator: " "),
                      created_at: now, expires_at: expiresAt, revoked_at: nil, last_used_at: nil)
        try await database.withSQL { sql in
            try await sql.raw("""
                INSERT INTO api_keys (id, user_id, name, secret_hash, scopes, created_at, expires_at)
                VALUES (\(bind: row.id), \(bind: userID), \(bind: name), \(bind: row.secret_hash), \(bind: row.scopes), \(bind: now), \(bind: expiresAt))
                """).run()
        }
        return (row.key, secret)
    }

    func list(userID: String) async throws -> [Key] {
        try await database.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM api_keys WHERE user_id = \(bind: userID) ORDER BY created_at, id")
                .all(decoding: Row.self).map(\.key)
        }
    }

    /// Revokes key `id` if `userID` owns it (or `userID` is nil: an admin). `false` when there is no such key.
    func revoke(id: String, ownedBy userID: String?) async throws -> Bool {
        let engine = database.engine
        return try await database.transaction { sql in
            guard let row = try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM api_keys WHERE id = \(bind: id)").first(decoding: Row.self),
                  userID == nil || row.user_id == userID else { return false }
            if row.revoked_at == nil {
                let now = Secrets.now()
                try await sql.raw("UPDATE api_keys SET revoked_at = \(bind: now) WHERE id = \(bind: id)").run()
                // Gateways cache introspections briefly; the feed entry makes them drop this key at once.
                try await RevocationStore.add(.init(kind: .apiKey, id: id, until: Double(now + 3600)), engine: engine, in: sql)
            }
            return true
        }
    }

    /// The active key `secret` is, with its owner, or `nil` (unknown, wrong secret, revoked or expired).
    func lookup(_ secret: String) async throws -> (Row, UserStore.Row)? {
        let parts = secret.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "bk", !parts[1].isEmpty else { return nil }
        let id = String(parts[1])
        guard let row = try await database.withSQL({ sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM api_keys WHERE id = \(bind: id)").first(decoding: Row.self)
        }) else { return nil }
        let presented = Array(Secrets.hash(secret).utf8)
        let stored = Array(row.secret_hash.utf8)
        guard presented.count == stored.count, zip(presented, stored).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        let now = Secrets.now()
        guard row.revoked_at == nil, (row.expires_at ?? .max) > now else { return nil }
        guard let owner = try await UserStore(database: database).find(id: row.user_id), owner.disabled == 0 else { return nil }
        if (row.last_used_at ?? 0) < now - 60 {
            try await database.withSQL { sql in
                try await sql.raw("UPDATE api_keys SET last_used_at = \(bind: now) WHERE id = \(bind: id)").run()
            }
        }
        return (row, owner)
    }
}
