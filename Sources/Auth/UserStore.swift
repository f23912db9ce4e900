import Foundation
import SQLKit
import ServiceKit

/// Users in the auth service's own database.
struct UserStore: Sendable {
    let database: Database

    struct Row: Decodable {
        let id: String
        let username: String
        let email: String?
        let password_hash: String
        let roles: String
        let disabled: Int
        let created_at: Int64

        var user: User {
            User(id: id, username: username, email: email, roles: roles.split(separator: " ").map(String.init),
                 disabled: disabled != 0, createdAt: created_at)
        }
    }

    static let columns = "id, username, email, password_hash, roles, disabled, created_at"

    /// The user whose username or e-mail is `login` (case-insensitive), with the password hash.
    func find(login: String) async throws -> Row? {
        let key = login.lowercased()
        return try await database.withSQL { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM users WHERE username = \(bind: key) OR email = \(bind: key)
                """).first(decoding: Row.self)
        }
    }

    func find(id: String) async throws -> Row? {
        try await database.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM users WHERE id = \(bind: id)").first(decoding: Row.self)
        }
    }

    func count() async throws -> Int {
        try await database.withSQL { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    enum CreateError: Error { case taken(field: String) }

    /// Inserts a user (usernames and e-mails are stored lower-cased, so uniqueness ignores case).
    func create(username: String, email: String?, passwordHash: String, roles: [String], in sql: any SQLDatabase) async throws -> User {
        let username = username.lowercased()
        let email = email?.lowercased()
        if try await sql.raw("SELECT 1 AS one FROM users WHERE username = \(bind: username)").first() != nil {
            throw CreateError.taken(field: "username")
        }
        if let email, try await sql.raw("SELECT 1 AS one FROM users WHERE email = \(bind: email)").first() != nil {
            throw CreateError.taken(field: "email")
        }
        let now = Secrets.now()
        let user = User(id: UUID().uuidString.lowercased(), username: username, email: email, roles: roles, disabled: false, createdAt: now)
        try await sql.raw("""
            INSERT INTO users (id, username, email, password_hash, roles, disabled, created_at, updated_at)
            VALUES (\(bind: user.id), \(bind: username), \(bind: email), \(bind: passwordHash), \(bind: roles.joined(separator: " ")),
                    0, \(bind: now), \(bind: now))
            """).run()
        return user
    }

    func list(limit: Int, offset: Int) async throws -> (users: [User], total: Int) {
        try await database.withSQL { sql in
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await sql.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM users ORDER BY username LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all(decoding: Row.self)
            return (rows.map(\.user), total)
        }
    }

    /// Changes roles and/or the disabled flag inside `sql`'s transaction.
    func update(id: String, roles: [String]?, disabled: Bool?, in sql: any SQLDatabase) async throws {
        let now = Secrets.now()
        if let roles {
            try await sql.raw("UPDATE users SET roles = \(bind: roles.joined(separator: " ")), updated_at = \(bind: now) WHERE id = \(bind: id)").run()
        }
        if let disabled {
            try await sql.raw("UPDATE users SET disabled = \(bind: disabled ? 1 : 0), updated_at = \(bind: now) WHERE id = \(bind: id)").run()
        }
    }

    func setPassword(id: String, hash: String, in sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE users SET password_hash = \(bind: hash), updated_at = \(bind: Secrets.now()) WHERE id = \(bind: id)").run()
    }
}
