import Foundation
import HummingbirdBcrypt
import ServiceKit

/// Password hashing (bcrypt, hummingbird-auth's implementation of OpenBSD's) and the password policy.
///
/// bcrypt is deliberately slow (a fraction of a second per hash at cost 12), so hashing runs on NIO's blocking thread pool, never on
/// the cooperative pool where it would stall every other request.
struct Passwords: Sendable {
    /// bcrypt cost (log2 of the rounds); the policy floor is 10.
    let cost: Int
    let minimumLength: Int

    static let maximumLength = 72  // bcrypt ignores bytes past 72; refusing longer ones avoids a silent truncation

    func hash(_ password: String) async throws -> String {
        let cost = UInt8(cost)
        return try await BlockingIO.run { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await BlockingIO.run { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash of a random password: verifying against it when the account does not exist takes as long as a real
    /// check, so response time does not tell which usernames exist.
    let decoyHash: String

    init(cost: Int, minimumLength: Int) {
        self.cost = cost
        self.minimumLength = minimumLength
        self.decoyHash = Bcrypt.hash(UUID().uuidString, cost: UInt8(cost))
    }

    /// Why `password` is refused for `username`, or `nil` when it is acceptable.
    func problem(with password: String, username: String, email: String?) -> String? {
        if password.count < minimumLength { return "must be at least \(minimumLength) characters long" }
        if password.utf8.count > Self.maximumLength { return "must be at most \(Self.maximumLength) bytes long (bcrypt ignores the rest)" }
        let lowered = password.lowercased()
        if CommonPasswords.contains(lowered) { return "is one of the most common passwords" }
        if Set(lowered).count < 4 { return "uses too few different characters" }
        if lowered.contains(username.lowercased()) && username.count >= 3 { return "must not contain the username" }
        if let local = email?.split(separator: "@").first, local.count >= 3, lowered.contains(local.lowercased()) {
            return "must not contain the e-mail address"
        }
        return nil
    }
}
