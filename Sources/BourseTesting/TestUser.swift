import Foundation
import HTTPTypes
import ServiceKit

/// A user as the gateway passes it on to a service (identity headers; router tests run without the internal secret).
public struct User: Sendable {
    public let id: String
    public let roles: [String]

    public init(id: String, roles: [String]) {
        self.id = id
        self.roles = roles
    }

    public static let alice = User(id: "u-alice", roles: ["trader"])
    public static let bob = User(id: "u-bob", roles: ["trader"])
    public static let admin = User(id: "u-admin", roles: ["admin"])
    public static let viewer = User(id: "u-viewer", roles: ["viewer"])

    public var headers: HTTPFields {
        var h = HTTPFields()
        let p = Principal(subject: id, username: id, roles: roles, scopes: Role.scopes(of: roles), kind: .user, credentialID: "c-\(id)")
        for (name, value) in p.headerFields { h[HTTPField.Name(name)!] = value }
        return h
    }
}

/// A collected answer of a router test.
public struct Reply: Sendable {
    public let status: HTTPResponse.Status
    public let text: String
    public let headers: HTTPFields

    public init(status: HTTPResponse.Status, text: String, headers: HTTPFields) {
        (self.status, self.text, self.headers) = (status, text, headers)
    }

    public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    public var array: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    /// `field` of each entry of the problem's `errors`.
    public var errorFields: [String] { (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
    public var rowLines: [Int] { (json["rows"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int } }
}
