import HTTPTypes

/// Builds a service's OpenAPI 3.1 document from its declared ``Endpoint``s and the endpoints every service
/// serves: paths, operations with their security requirement and problem answers, and every schema component
/// the operations reach.
public enum OpenAPIDocument {
    /// The document as a JSON value.
    public static func document(_ descriptor: ServiceDescriptor) -> JSONValue {
        var components: [String: JSONSchema] = ["Problem": problemSchema]
        var paths: [String: [String: JSONValue]] = [:]
        for endpoint in descriptor.contract {
            paths[endpoint.path, default: [:]][endpoint.method.rawValue.lowercased()] = operation(endpoint, components: &components)
        }
        var schemas: [String: JSONValue] = [:]
        // Rendering a component can reach further components; repeat until nothing new appears.
        var rendered = Set<String>()
        while let name = components.keys.first(where: { !rendered.contains($0) }) {
            rendered.insert(name)
            schemas[name] = components[name]!.rendered(components: &components)
        }
        return .object([
            "openapi": .string("3.1.0"),
            "info": .object([
                "title": .string("Bourse \(descriptor.name) service"),
                "version": .string(descriptor.version),
                "description": .string(descriptor.summary),
            ]),
            "servers": .array([.object(["url": .string("/")])]),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": .object([
                "schemas": .object(schemas),
                "securitySchemes": .object([
                    "bearer": .object(["type": .string("http"), "scheme": .string("bearer"), "bearerFormat": .string("JWT"),
                                       "description": .string("An access token from POST /api/v1/auth/login.")]),
                    "apiKey": .object(["type": .string("apiKey"), "in": .string("header"), "name": .string("X-API-Key"),
                                       "description": .string("An API key (also accepted as `Authorization: ApiKey <key>`).")]),
                ]),
                "responses": .object([
                    "Problem": .object([
                        "description": .string("An error, as RFC 9457 problem details."),
                        "content": .object(["application/problem+json": .object(["schema": .object(["$ref": .string("#/components/schemas/Problem")])])]),
                    ]),
                ]),
            ]),
        ])
    }

    /// The document as YAML (what `/openapi.yaml` serves and `bourse openapi` prints).
    public static func render(_ descriptor: ServiceDescriptor) -> String {
        YAMLWriter.write(document(descriptor))
    }

    static func operation(_ endpoint: Endpoint, components: inout [String: JSONSchema]) -> JSONValue {
        var o: [String: JSONValue] = ["summary": .string(endpoint.summary)]
        o["operationId"] = .string(operationID(endpoint))
        if let description = endpoint.description { o["description"] = .string(description) }
        if !endpoint.parameters.isEmpty || !endpoint.pathParameterNames.isEmpty {
            var parameters = endpoint.parameters
            // Path parameters the declaration did not describe are plain strings.
            for name in endpoint.pathParameterNames where !parameters.contains(where: { $0.location == .path && $0.name == name }) {
                parameters.insert(.path(name), at: 0)
            }
            o["parameters"] = .array(parameters.map { p in
                var value: [String: JSONValue] = ["name": .string(p.name), "in": .string(p.location.rawValue),
                                                  "schema": p.schema.rendered(components: &components)]
                if p.required { value["required"] = .bool(true) }
                if let d = p.description { value["description"] = .string(d) }
                return .object(value)
            })
        }
        if let body = endpoint.body {
            var value: [String: JSONValue] = ["required": .bool(body.required), "content": content(body.content, components: &components)]
            if let d = body.description { value["description"] = .string(d) }
            o["requestBody"] = .object(value)
        }
        var responses: [String: JSONValue] = [:]
        for answer in endpoint.responses {
            var value: [String: JSONValue] = ["description": .string(answer.description)]
            if !answer.content.isEmpty { value["content"] = content(answer.content, components: &components) }
            if !answer.headers.isEmpty {
                value["headers"] = .object(answer.headers.mapValues { .object(["description": .string($0), "schema": .object(["type": .string("string")])]) })
            }
            responses[String(answer.status.code)] = .object(value)
        }
        for status in endpoint.problemStatuses where responses[String(status.code)] == nil {
            responses[String(status.code)] = .object(["$ref": .string("#/components/responses/Problem")])
        }
        o["responses"] = .object(responses)
        switch endpoint.access {
        case .open:
            o["security"] = .array([])
        case .authenticated:
            o["security"] = .array([.object(["bearer": .array([])]), .object(["apiKey": .array([])])])
        case .scope(let scope):
            o["security"] = .array([.object(["bearer": .array([.string(scope)])]), .object(["apiKey": .array([.string(scope)])])])
        }
        o["x-bourse-access"] = .string(endpoint.access.description)
        return .object(o)
    }

    static func content(_ content: [Endpoint.Content], components: inout [String: JSONSchema]) -> JSONValue {
        var value: [String: JSONValue] = [:]
        for c in content {
            value[c.mediaType] = .object(c.schema.map { ["schema": $0.rendered(components: &components)] } ?? [:])
        }
        return .object(value)
    }

    /// `getApiV1DataInstrumentsSymbol`-style identifiers, unique per method and path.
    static func operationID(_ endpoint: Endpoint) -> String {
        var id = endpoint.method.rawValue.lowercased()
        for segment in endpoint.path.split(whereSeparator: { $0 == "/" || $0 == "." || $0 == "-" || $0 == "_" }) {
            let word = segment.trimmingCharacters(in: "{}")
            guard let first = word.first else { continue }
            id += first.uppercased() + word.dropFirst()
        }
        return id
    }

    static let problemSchema = JSONSchema.object([
        .init("type", .string(format: "uri")),
        .init("title", .string),
        .init("status", .integer),
        .init("detail", .string),
        .init("instance", .string(description: "urn:request:<request id>")),
        .init("errors", .array(.object([.init("field", .string), .init("reason", .string)]))),
    ], required: ["type", "title", "status", "detail"], description: "RFC 9457 problem details (media type application/problem+json).")
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> Substring {
        var s = self
        while let c = s.first, characters.contains(c) { s = s.dropFirst() }
        while let c = s.last, characters.contains(c) { s = s.dropLast() }
        return s
    }
}
