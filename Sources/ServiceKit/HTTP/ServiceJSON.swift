import Foundation
import NIOCore
import NIOFoundationCompat

/// The one JSON configuration of Bourse's own wire formats (request and response bodies, service-to-service calls,
/// bus payloads): keys as each type's `CodingKeys` spell them (snake_case on the wire), sorted on output so equal
/// values encode to equal bytes (ETags, idempotency), `/` not escaped, dates as RFC 3339 UTC timestamps.
///
/// Keys are mapped by `CodingKeys` rather than by a key strategy: `convertFromSnakeCase` turns `instance_id` into
/// `instanceId`, which does not match a property named `instanceID`, so a strategy would make every acronym a
/// silent decoding failure.
public enum ServiceJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension ServiceRequestContext {
    /// Hummingbird's `request.decode(as:context:)` uses the same decoder as ``Request/decodeJSON(as:context:)``.
    public var requestDecoder: JSONDecoder { ServiceJSON.decoder() }
    /// Routes that return a `ResponseEncodable` value are encoded like ``JSONResponse``.
    public var responseEncoder: JSONEncoder { ServiceJSON.encoder() }
}

extension ServiceClient.Reply {
    /// The body decoded as `T` with ``ServiceJSON``.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try ServiceJSON.decoder().decode(T.self, from: body)
    }
}
