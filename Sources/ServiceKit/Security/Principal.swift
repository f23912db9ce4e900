import Foundation
import HTTPTypes

/// Who a request acts for, as established by the gateway (from a JWT or an API key) and handed to services in
/// the `X-Bourse-*` identity headers. Services trust these headers only because the gateway strips them from
/// incoming requests and the internal credential signs them together with the method and target.
public struct Principal: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A user with an access token.
        case user
        /// A user's API key (its scopes are the key's, never wider than the owner's).
        case apiKey = "api-key"
    }

    /// The user id (`sub`).
    public var subject: String
    public var username: String
    public var roles: [String]
    public var scopes: Set<String>
    public var kind: Kind
    /// The access token's `jti`, or the API key's id.
    public var credentialID: String
    /// When the token or key stops being valid (seconds since 1970), if it does.
    public var expiresAt: Double?
    /// The refresh-token family (login session) an access token belongs to.
    public var sessionID: String?

    public init(subject: String, username: String, roles: [String], scopes: Set<String>, kind: Kind,
                credentialID: String, expiresAt: Double? = nil, sessionID: String? = nil) {
        self.subject = subject
        self.username = username
        self.roles = roles
        self.scopes = scopes
        self.kind = kind
        self.credentialID = credentialID
        self.expiresAt = expiresAt
        self.sessionID = sessionID
    }

    public func has(scope: String) -> Bool { scopes.contains(scope) || scopes.contains(Scope.admin) }

    /// The role whose rate-limit quotas apply: the most privileged one held.
    public var primaryRole: String {
        Role.allCases.first { roles.contains($0.rawValue) }?.rawValue ?? "viewer"
    }
}

extension Principal {
    public static let subjectHeader = HTTPField.Name("X-Bourse-Subject")!
    public static let usernameHeader = HTTPField.Name("X-Bourse-Username")!
    public static let rolesHeader = HTTPField.Name("X-Bourse-Roles")!
    public static let scopesHeader = HTTPField.Name("X-Bourse-Scopes")!
    public static let kindHeader = HTTPField.Name("X-Bourse-Principal")!
    public static let credentialHeader = HTTPField.Name("X-Bourse-Credential-Id")!
    public static let expiresHeader = HTTPField.Name("X-Bourse-Expires")!
    public static let sessionHeader = HTTPField.Name("X-Bourse-Session")!

    /// Every identity header, lower-cased: the gateway drops these from client requests before anything else.
    public static let headerNames: Set<String> = [
        "x-bourse-subject", "x-bourse-username", "x-bourse-roles", "x-bourse-scopes", "x-bourse-principal",
        "x-bourse-credential-id", "x-bourse-expires", "x-bourse-session",
    ]

    /// The identity headers, name and value, in a fixed order (the order the internal credential signs them in).
    public var headerFields: [(String, String)] {
        var fields: [(String, String)] = [
            ("X-Bourse-Subject", subject), ("X-Bourse-Username", username), ("X-Bourse-Roles", roles.joined(separator: " ")),
            ("X-Bourse-Scopes", scopes.sorted().joined(separator: " ")), ("X-Bourse-Principal", kind.rawValue),
            ("X-Bourse-Credential-Id", credentialID),
        ]
        if let expiresAt { fields.append(("X-Bourse-Expires", String(Int64(expiresAt)))) }
        if let sessionID { fields.append(("X-Bourse-Session", sessionID)) }
        return fields
    }

    /// What the internal credential signs of the identity: every identity header value, in order.
    public var signedText: String { headerFields.map { "\($0.0.lowercased()):\($0.1)" }.joined(separator: "\n") }

    /// Reads the identity headers; `nil` when there is no subject (a call from a peer service or a probe).
    public init?(headers: HTTPFields) {
        guard let subject = headers[Self.subjectHeader], !subject.isEmpty,
              let kind = headers[Self.kindHeader].flatMap(Kind.init(rawValue:)),
              let credentialID = headers[Self.credentialHeader] else { return nil }
        self.init(subject: subject, username: headers[Self.usernameHeader] ?? "",
                  roles: (headers[Self.rolesHeader] ?? "").split(separator: " ").map(String.init),
                  scopes: Set((headers[Self.scopesHeader] ?? "").split(separator: " ").map(String.init)),
                  kind: kind, credentialID: credentialID,
                  expiresAt: headers[Self.expiresHeader].flatMap(Double.init), sessionID: headers[Self.sessionHeader])
    }
}

/// A principal with its identity headers and signed text made once, for callers that forward the same identity
/// on many requests (the gateway's fast path keeps one per verified token or key).
///
/// A class: the gateway keeps one per verified token or key and hands it to every request of that caller, so a
/// request costs one reference count for it, not one per string inside.
public final class ForwardedIdentity: Sendable {
    public let principal: Principal
    public let fields: [HTTPField]
    /// `fields` as header lines (`Name: value` and a line end each), written into proxied requests as they are.
    public let headerLines: String
    public let signedText: String
    /// The rate-limit key of this principal per route class (`read`, `write`, `auth`): per user for tokens (all of a
    /// user's sessions share it), per key for API keys.
    public let rateKeys: [String: String]

    public init(_ principal: Principal) {
        self.principal = principal
        let base = principal.kind == .user ? "user:\(principal.subject)" : "key:\(principal.credentialID)"
        self.rateKeys = Dictionary(uniqueKeysWithValues: ["read", "write", "auth"].map { ($0, "\(base):\($0)") })
        self.fields = principal.headerFields.compactMap { name, value in HTTPField.Name(name).map { HTTPField(name: $0, value: value) } }
        self.headerLines = fields.map { "\($0.name.rawName): \($0.value)\r\n" }.joined()
        self.signedText = principal.signedText
    }
}
