import Foundation
import Logging
import ServiceKit

/// The first administrator. An empty platform gets a user `admin` with a random password, written once to
/// `<data.dir>/initial-admin-password` (mode 600) and announced in the log without the password. There is no
/// built-in default password, ever.
enum InitialAdmin {
    static let fileName = "initial-admin-password"

    static func ensure(context: AuthContext, dataDir: String, logger: Logger) async throws {
        guard try await context.users.count() == 0 else { return }
        let password = Secrets.random(bytes: 18)  // 144 bits, 24 characters
        let hash = try await context.passwords.hash(password)
        do {
            _ = try await context.database.transaction { sql in
                try await context.users.create(username: "admin", email: nil, passwordHash: hash, roles: [Role.admin.rawValue], in: sql)
            }
        } catch UserStore.CreateError.taken {
            return  // another replica made it first
        }
        let path = URL(fileURLWithPath: dataDir).appendingPathComponent(fileName).path
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try writePrivately(password + "\n", to: path)
        logger.notice("created the initial admin user; read its password once, then delete the file",
                      metadata: ["username": "admin", "password_file": .string(path)])
    }

    /// Creates `path` readable by its owner only (0600) before any byte is written, replacing an older file.
    static func writePrivately(_ text: String, to path: String) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}

/// User administration from the command line (`bourse users create-admin`), against the auth database directly.
public enum AuthAdministration {
    public enum Failure: Error, CustomStringConvertible {
        case weakPassword(String)
        case taken(String)
        case invalid(String)

        public var description: String {
            switch self {
            case .weakPassword(let why): return "the password \(why)"
            case .taken(let field): return "that \(field) is already taken"
            case .invalid(let why): return why
            }
        }
    }

    /// Creates an admin user; the database must be migrated (``AuthService/descriptor``'s migrations).
    public static func createAdmin(database: Database, username: String, email: String, password: String, bcryptCost: Int = 12,
                                   minimumLength: Int = 10) async throws -> String {
        guard Validation.isUsername(username.lowercased()) else { throw Failure.invalid(Validation.usernameRule) }
        guard Validation.isEmail(email) else { throw Failure.invalid("\"\(email)\" is not an e-mail address") }
        let passwords = Passwords(cost: bcryptCost, minimumLength: minimumLength)
        if let problem = passwords.problem(with: password, username: username, email: email) { throw Failure.weakPassword(problem) }
        let hash = try await passwords.hash(password)
        do {
            let user = try await database.transaction { sql in
                try await UserStore(database: database).create(username: username, email: email, passwordHash: hash, roles: [Role.admin.rawValue], in: sql)
            }
            return user.id
        } catch UserStore.CreateError.taken(let field) {
            throw Failure.taken(field)
        }
    }
}
