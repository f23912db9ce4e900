/// Which caller may use which route of a service: one declaration, used three times — the gateway enforces it
/// (services send it with their registration), the service enforces it again on the identity the gateway
/// signed, and the OpenAPI contract states it on every operation.
///
/// Rules are tried in order and the first match decides. A path pattern is literal segments, `{name}` for one
/// segment, and a final `**` for any rest. Routes outside `/api/v1/` (health, metrics, contract) are not
/// governed by it.
public struct AccessPolicy: Sendable, Codable, Equatable {
    public enum Requirement: Sendable, Equatable, Codable, CustomStringConvertible {
        /// Anyone, without a token (login, JWKS).
        case open
        /// Any valid token or key.
        case authenticated
        /// A principal holding this scope (or `admin`).
        case scope(String)

        public var description: String {
            switch self {
            case .open: return "public"
            case .authenticated: return "authenticated"
            case .scope(let scope): return scope
            }
        }

        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            switch text {
            case "public": self = .open
            case "authenticated": self = .authenticated
            default: self = .scope(text)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }

    public struct Rule: Sendable, Codable, Equatable {
        /// `nil`: any method.
        public let method: String?
        public let path: String
        public let requirement: Requirement
        /// `path` split once (matching runs on every request at the gateway).
        let segments: [Substring]

        public init(_ method: String?, _ path: String, _ requirement: Requirement) {
            self.method = method
            self.path = path
            self.requirement = requirement
            self.segments = path.split(separator: "/", omittingEmptySubsequences: true)
        }

        enum CodingKeys: String, CodingKey { case method, path, requirement }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(try c.decodeIfPresent(String.self, forKey: .method), try c.decode(String.self, forKey: .path),
                      try c.decode(Requirement.self, forKey: .requirement))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(method, forKey: .method)
            try c.encode(path, forKey: .path)
            try c.encode(requirement, forKey: .requirement)
        }
    }

    public var rules: [Rule]

    public init(rules: [Rule]) { self.rules = rules }

    /// The convention for a service that declares nothing more: reads need `<service>:read`, writes `<service>:write`.
    public static func conventional(service: String) -> AccessPolicy {
        AccessPolicy(rules: [
            Rule("GET", "/api/v1/\(service)/**", .scope("\(service):read")),
            Rule("HEAD", "/api/v1/\(service)/**", .scope("\(service):read")),
            Rule(nil, "/api/v1/\(service)/**", .scope("\(service):write")),
        ])
    }

    /// This policy's rules followed by the conventional ones.
    public func withConventions(service: String) -> AccessPolicy {
        AccessPolicy(rules: rules + Self.conventional(service: service).rules)
    }

    /// What `method path` needs; `nil` when no rule matches (then only an admin may call it).
    public func requirement(method: String, path: String) -> Requirement? {
        rules.first { rule in
            (rule.method == nil || rule.method == method || (method == "HEAD" && rule.method == "GET"))
                && Self.matches(parts: rule.segments, path: path.utf8[...])
        }?.requirement
    }

    /// Whether a rule's pattern (`{name}` matches one segment, a final `**` any rest) matches a path, walking the
    /// path's segments without splitting it into an array first (this runs on every request at the gateway).
    static func matches(parts: [Substring], path: Substring.UTF8View) -> Bool {
        var rest = path
        func nextSegment() -> Substring.UTF8View? {
            while rest.first == UInt8(ascii: "/") { rest = rest.dropFirst() }
            guard !rest.isEmpty else { return nil }
            let end = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            let segment = rest[..<end]
            rest = rest[end...]
            return segment
        }
        for part in parts {
            if part == "**" { return true }
            guard let segment = nextSegment() else { return false }
            if part.utf8.first == UInt8(ascii: "{") && part.utf8.last == UInt8(ascii: "}") { continue }
            if !part.utf8.elementsEqual(segment) { return false }
        }
        return nextSegment() == nil
    }
}
