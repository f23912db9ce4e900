import HTTPTypes

/// One operation of a service, declared once: the route it registers (``ServiceRouter/on(_:use:)``), the access
/// rule the gateway and the service enforce (``ServiceDescriptor/access``), and its OpenAPI operation
/// (``OpenAPIDocument``). A served route without an endpoint, or an endpoint nothing serves, fails the contract
/// tests, so the three cannot drift apart.
///
/// The problem answers every operation can give are documented from the declaration: 401, 403 and 429 on
/// secured operations (and 429 on every `/api/v1` one, since the gateway limits anonymous callers too); 400 where
/// the operation takes parameters or a body; 413, 415 and 422 where it takes a body. Others (404, 409, …) are
/// listed in ``problems``.
public struct Endpoint: Sendable {
    public let method: HTTPRequest.Method
    /// The full path template: literal segments and `{name}` parameters (`/api/v1/data/instruments/{symbol}`).
    public let path: String
    public let access: AccessPolicy.Requirement
    public let summary: String
    public var description: String?
    public var parameters: [Parameter]
    public var body: Body?
    public var responses: [Answer]
    /// Problem statuses beyond those the declaration implies.
    public var problems: [HTTPResponse.Status]

    public init(_ method: HTTPRequest.Method, _ path: String, access: AccessPolicy.Requirement, summary: String,
                description: String? = nil, parameters: [Parameter] = [], body: Body? = nil, responses: [Answer],
                problems: [HTTPResponse.Status] = []) {
        self.method = method
        self.path = path
        self.access = access
        self.summary = summary
        self.description = description
        self.parameters = parameters
        self.body = body
        self.responses = responses
        self.problems = problems
    }

    /// Names of the `{name}` segments of ``path``, in order.
    public var pathParameterNames: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    /// Every problem status this operation documents, ascending.
    public var problemStatuses: [HTTPResponse.Status] {
        var codes = Set(problems.map(\.code))
        if path.hasPrefix("/api/v1/") { codes.insert(429) }
        if access != .open { codes.formUnion([401, 403, 429]) }
        if !parameters.isEmpty || body != nil || !pathParameterNames.isEmpty { codes.insert(400) }
        if body != nil { codes.formUnion([400, 413, 415, 422]) }
        return codes.sorted().map { HTTPResponse.Status(code: $0) }
    }
}

extension Endpoint {
    /// A query, path or header parameter.
    public struct Parameter: Sendable {
        public enum Location: String, Sendable { case path, query, header }
        public let name: String
        public let location: Location
        public let schema: JSONSchema
        public let required: Bool
        public let description: String?

        public static func path(_ name: String, _ schema: JSONSchema = .string, _ description: String? = nil) -> Parameter {
            Parameter(name: name, location: .path, schema: schema, required: true, description: description)
        }

        public static func query(_ name: String, _ schema: JSONSchema, _ description: String? = nil, required: Bool = false) -> Parameter {
            Parameter(name: name, location: .query, schema: schema, required: required, description: description)
        }

        public static func header(_ name: String, _ schema: JSONSchema, _ description: String? = nil) -> Parameter {
            Parameter(name: name, location: .header, schema: schema, required: false, description: description)
        }
    }

    /// A request body: its media types and their schemas.
    public struct Body: Sendable {
        public let content: [Content]
        public let required: Bool
        public let description: String?

        public static func json(_ schema: JSONSchema, description: String? = nil, required: Bool = true) -> Body {
            Body(content: [Content(mediaType: "application/json", schema: schema)], required: required, description: description)
        }

        public static func json<T: ContractSchema>(_ type: T.Type, description: String? = nil) -> Body {
            .json(.ref(type), description: description)
        }

        public static func csv(_ description: String) -> Body {
            Body(content: [Content(mediaType: "text/csv", schema: .string)], required: true, description: description)
        }

        public init(content: [Content], required: Bool = true, description: String? = nil) {
            self.content = content
            self.required = required
            self.description = description
        }
    }

    public struct Content: Sendable {
        public let mediaType: String
        public let schema: JSONSchema?
        public init(mediaType: String, schema: JSONSchema?) {
            self.mediaType = mediaType
            self.schema = schema
        }
    }

    /// A successful (or otherwise non-problem) answer.
    public struct Answer: Sendable {
        public let status: HTTPResponse.Status
        public let description: String
        public let content: [Content]
        public let headers: [String: String]

        public init(_ status: HTTPResponse.Status, _ description: String, content: [Content] = [], headers: [String: String] = [:]) {
            self.status = status
            self.description = description
            self.content = content
            self.headers = headers
        }

        public static func json(_ status: HTTPResponse.Status = .ok, _ description: String, _ schema: JSONSchema,
                                headers: [String: String] = [:]) -> Answer {
            Answer(status, description, content: [Content(mediaType: "application/json", schema: schema)], headers: headers)
        }

        public static func json<T: ContractSchema>(_ status: HTTPResponse.Status = .ok, _ description: String, _ type: T.Type,
                                                   headers: [String: String] = [:]) -> Answer {
            .json(status, description, .ref(type), headers: headers)
        }

        /// No body (204, 304) or a body the contract does not describe.
        public static func empty(_ status: HTTPResponse.Status, _ description: String, headers: [String: String] = [:]) -> Answer {
            Answer(status, description, headers: headers)
        }

        public static func text(_ status: HTTPResponse.Status = .ok, _ description: String, mediaType: String = "text/plain") -> Answer {
            Answer(status, description, content: [Content(mediaType: mediaType, schema: .string)])
        }
    }
}
