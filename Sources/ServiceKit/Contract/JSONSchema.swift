/// A JSON Schema (the OpenAPI 3.1 dialect) built in Swift, so a contract is checked by the compiler instead of
/// being YAML in a string. Named schemas are ``SchemaComponent``s, referenced with ``ref(_:)``; the document
/// collects every component an operation reaches.
public indirect enum JSONSchema: Sendable {
    /// A primitive (`string`, `integer`, `number`, `boolean`) with its keywords (`format`, `enum`, `minimum`, …).
    case primitive(String, keywords: [String: JSONValue])
    case array(JSONSchema, keywords: [String: JSONValue])
    /// Properties in declaration order, the required ones, and what other members may be (`nil`: anything).
    case object([Property], required: [String], additional: JSONSchema?, keywords: [String: JSONValue])
    case ref(SchemaComponent)
    /// The schema or JSON `null`.
    case nullable(JSONSchema)
    case oneOf([JSONSchema])
    /// Any JSON value.
    case any(description: String?)

    public struct Property: Sendable {
        public let name: String
        public let schema: JSONSchema
        public init(_ name: String, _ schema: JSONSchema) {
            self.name = name
            self.schema = schema
        }
    }
}

/// A schema with a name: rendered once under `components.schemas` and referenced by `$ref` elsewhere.
public struct SchemaComponent: Sendable {
    public let name: String
    public let schema: JSONSchema

    public init(_ name: String, _ schema: JSONSchema) {
        self.name = name
        self.schema = schema
    }
}

/// A Codable type that states its wire schema next to its declaration; endpoints name the type, and the contract
/// renders its schema once as a component.
public protocol ContractSchema {
    static var contractSchema: SchemaComponent { get }
}

extension JSONSchema {
    public static var string: JSONSchema { .primitive("string", keywords: [:]) }
    public static var integer: JSONSchema { .primitive("integer", keywords: [:]) }
    public static var number: JSONSchema { .primitive("number", keywords: [:]) }
    public static var boolean: JSONSchema { .primitive("boolean", keywords: [:]) }
    /// A calendar date, `YYYY-MM-DD`.
    public static var date: JSONSchema { .string(format: "date") }
    /// An RFC 3339 UTC timestamp.
    public static var dateTime: JSONSchema { .string(format: "date-time") }

    public static func string(format: String? = nil, pattern: String? = nil, enum values: [String]? = nil,
                              minLength: Int? = nil, maxLength: Int? = nil, default value: String? = nil,
                              description: String? = nil) -> JSONSchema {
        var k: [String: JSONValue] = [:]
        k["format"] = format.map(JSONValue.string)
        k["pattern"] = pattern.map(JSONValue.string)
        k["enum"] = values.map { .array($0.map(JSONValue.string)) }
        k["minLength"] = minLength.map { .number(Double($0)) }
        k["maxLength"] = maxLength.map { .number(Double($0)) }
        k["default"] = value.map(JSONValue.string)
        k["description"] = description.map(JSONValue.string)
        return .primitive("string", keywords: k)
    }

    /// A string whose values are a `CaseIterable` enumeration's raw values.
    public static func string<E: CaseIterable & RawRepresentable>(_ type: E.Type, default value: E? = nil,
                                                                   description: String? = nil) -> JSONSchema where E.RawValue == String {
        .string(enum: type.allCases.map(\.rawValue), default: value?.rawValue, description: description)
    }

    public static func integer(minimum: Int? = nil, maximum: Int? = nil, default value: Int? = nil,
                               description: String? = nil) -> JSONSchema {
        var k: [String: JSONValue] = [:]
        k["minimum"] = minimum.map { .number(Double($0)) }
        k["maximum"] = maximum.map { .number(Double($0)) }
        k["default"] = value.map { .number(Double($0)) }
        k["description"] = description.map(JSONValue.string)
        return .primitive("integer", keywords: k)
    }

    public static func number(minimum: Double? = nil, exclusiveMinimum: Double? = nil, maximum: Double? = nil,
                              default value: Double? = nil, description: String? = nil) -> JSONSchema {
        var k: [String: JSONValue] = [:]
        k["minimum"] = minimum.map(JSONValue.number)
        k["exclusiveMinimum"] = exclusiveMinimum.map(JSONValue.number)
        k["maximum"] = maximum.map(JSONValue.number)
        k["default"] = value.map(JSONValue.number)
        k["description"] = description.map(JSONValue.string)
        return .primitive("number", keywords: k)
    }

    public static func boolean(default value: Bool? = nil, description: String? = nil) -> JSONSchema {
        var k: [String: JSONValue] = [:]
        k["default"] = value.map(JSONValue.bool)
        k["description"] = description.map(JSONValue.string)
        return .primitive("boolean", keywords: k)
    }

    public static func array(_ items: JSONSchema, minItems: Int? = nil, maxItems: Int? = nil,
                             description: String? = nil) -> JSONSchema {
        var k: [String: JSONValue] = [:]
        k["minItems"] = minItems.map { .number(Double($0)) }
        k["maxItems"] = maxItems.map { .number(Double($0)) }
        k["description"] = description.map(JSONValue.string)
        return .array(items, keywords: k)
    }

    /// An object; `additional: nil` leaves other members unconstrained.
    public static func object(_ properties: [Property], required: [String] = [], additional: JSONSchema? = nil,
                              description: String? = nil) -> JSONSchema {
        .object(properties, required: required, additional: additional, keywords: description.map { ["description": .string($0)] } ?? [:])
    }

    /// A JSON object used as a map from strings to `values`.
    public static func map(_ values: JSONSchema, description: String? = nil) -> JSONSchema {
        .object([], required: [], additional: values, keywords: description.map { ["description": .string($0)] } ?? [:])
    }

    public static func ref<T: ContractSchema>(_ type: T.Type) -> JSONSchema { .ref(T.contractSchema) }

    /// This schema or `null`.
    public var orNull: JSONSchema { .nullable(self) }

    /// The same schema with a description.
    public func described(_ text: String) -> JSONSchema {
        switch self {
        case .primitive(let t, var k): k["description"] = .string(text); return .primitive(t, keywords: k)
        case .array(let i, var k): k["description"] = .string(text); return .array(i, keywords: k)
        case .object(let p, let r, let a, var k): k["description"] = .string(text); return .object(p, required: r, additional: a, keywords: k)
        case .any: return .any(description: text)
        default: return self
        }
    }
}

extension JSONSchema {
    /// The schema as a JSON value; every component it reaches is added to `components`.
    func rendered(components: inout [String: JSONSchema]) -> JSONValue {
        switch self {
        case .primitive(let type, let keywords):
            var o = keywords
            o["type"] = .string(type)
            return .object(o)
        case .array(let items, let keywords):
            var o = keywords
            o["type"] = .string("array")
            o["items"] = items.rendered(components: &components)
            return .object(o)
        case .object(let properties, let required, let additional, let keywords):
            var o = keywords
            o["type"] = .string("object")
            if !properties.isEmpty {
                var p: [String: JSONValue] = [:]
                for property in properties { p[property.name] = property.schema.rendered(components: &components) }
                o["properties"] = .object(p)
            }
            if !required.isEmpty { o["required"] = .array(required.map(JSONValue.string)) }
            if let additional { o["additionalProperties"] = additional.rendered(components: &components) }
            return .object(o)
        case .ref(let component):
            if components[component.name] == nil {
                components[component.name] = component.schema
                _ = component.schema.rendered(components: &components)
            }
            return .object(["$ref": .string("#/components/schemas/\(component.name)")])
        case .nullable(let inner):
            // OpenAPI 3.1: a type list for primitives; anything else as oneOf with null.
            if case .primitive(let type, let keywords) = inner {
                var o = keywords
                o["type"] = .array([.string(type), .string("null")])
                if let values = o["enum"], case .array(let list) = values { o["enum"] = .array(list + [.null]) }
                return .object(o)
            }
            return .object(["oneOf": .array([inner.rendered(components: &components), .object(["type": .string("null")])])])
        case .oneOf(let schemas):
            return .object(["oneOf": .array(schemas.map { $0.rendered(components: &components) })])
        case .any(let description):
            return .object(description.map { ["description": .string($0)] } ?? [:])
        }
    }
}
