import Foundation
import Hummingbird
import Quant

/// Reads a request's query parameters by type; a value that does not parse is a 400 problem naming the parameter
/// (`errors: [{field: "limit", reason: "must be a whole number from 1 to 1000"}]`). An absent parameter is `nil`.
public struct QueryReader: Sendable {
    let parameters: [String: String]

    public init(_ request: Request) {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        self.parameters = parameters
    }

    static func invalid(_ name: String, _ reason: String) -> Problem {
        .badRequest("The query parameter \(name) \(reason).", errors: [FieldError(field: name, reason: reason)])
    }

    public func string(_ name: String, maxLength: Int = 1000) throws(Problem) -> String? {
        guard let value = parameters[name] else { return nil }
        guard value.count <= maxLength else { throw Self.invalid(name, "must be at most \(maxLength) characters") }
        return value
    }

    public func int(_ name: String, in range: ClosedRange<Int>) throws(Problem) -> Int? {
        guard let value = parameters[name] else { return nil }
        guard let n = Int(value), range.contains(n) else {
            throw Self.invalid(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    public func double(_ name: String, in range: ClosedRange<Double>) throws(Problem) -> Double? {
        guard let value = parameters[name] else { return nil }
        guard let n = Double(value), n.isFinite, range.contains(n) else {
            throw Self.invalid(name, "must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`).
    public func bool(_ name: String) throws(Problem) -> Bool? {
        guard let value = parameters[name] else { return nil }
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw Self.invalid(name, "must be true or false")
        }
    }

    /// A calendar date `YYYY-MM-DD`, returned as written.
    public func date(_ name: String) throws(Problem) -> String? {
        guard let value = parameters[name] else { return nil }
        guard Resampler.daysSinceEpoch(value) != nil else { throw Self.invalid(name, "must be a date in YYYY-MM-DD form") }
        return value
    }

    /// One of an enumeration's raw values.
    public func value<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws(Problem) -> E? where E.RawValue == String {
        guard let value = parameters[name] else { return nil }
        guard let parsed = E(rawValue: value) else {
            throw Self.invalid(name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }
}
