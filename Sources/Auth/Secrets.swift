import Crypto
import Foundation
import ServiceKit

/// Random secrets and their stored form. Refresh tokens and API keys carry 256 random bits, so a single
/// SHA-256 is enough to store them (nothing to brute-force); passwords, which people choose, get bcrypt.
enum Secrets {
    static func random(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64URLString
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexString
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

/// A user as the API shows it (never with the password hash).
struct User: Codable, Sendable, Equatable {
    var id: String
    var username: String
    var email: String?
    var roles: [String]
    var disabled: Bool
    var createdAt: Int64

    var scopes: Set<String> { Role.scopes(of: roles) }

    struct View: Encodable {
        let id: String
        let username: String
        let email: String?
        let roles: [String]
        let scopes: [String]
        let disabled: Bool
        let created_at: String
    }

    var view: View {
        View(id: id, username: username, email: email, roles: roles, scopes: scopes.sorted(), disabled: disabled,
             created_at: Date(timeIntervalSince1970: Double(createdAt)).formatted(.iso8601))
    }
}
