import Foundation
import Hummingbird
import Quant

/// Reads a request's query parameters by type; a value that does not parse is a 400 problem naming the parameter
/// (`errors: [{field: "limit", reason: "must be a whole number from 1 to 1000"}]`). An absent parameter is `nil`.
///
/// ``init(_:)`` throws at the first bad value; ``collecting(_:)`` notes every bad value (each read answers `nil`)
/// and ``check()`` then throws one 400 that lists them all.
public struct QueryReader {
    let parameters: [String: String]
    /// Where a collecting reader notes bad values; `nil` for a reader that throws at once. One request's handler
    /// uses its reader alone, so the notes are never shared across tasks.
    private let notes: Notes?

    final class Notes {
        var errors: [FieldError] = []
    }

    public init(_ request: Request) {
        self.init(request, notes: nil)
    }

    private init(_ request: Request, notes: Notes?) {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        self.parameters = parameters
        self.notes = notes
    }

    /// A reader that collects every bad parameter for ``check()``.
    public static func collecting(_ request: Request) -> QueryReader {
        QueryReader(request, notes: Notes())
    }

    /// Throws one 400 listing every bad parameter a collecting reader has read.
    public func check() throws(Problem) {
        guard let notes, !notes.errors.isEmpty else { return }
        let names = notes.errors.map(\.field).joined(separator: ", ")
        throw Problem.badRequest("The query parameters \(names) are invalid.", errors: notes.errors)
    }

    /// Throws at once, or (collecting) notes the problem and answers `nil`.
    private func invalid<T>(_ name: String, _ reason: String) throws(Problem) -> T? {
        if let notes {
            notes.errors.append(FieldError(field: name, reason: reason))
            return nil
        }
        throw .badRequest("The query parameter \(name) \(reason).", errors: [FieldError(field: name, reason: reason)])
    }

    public func string(_ name: String, maxLength: Int = 1000) throws(Problem) -> String? {
        guard let value = parameters[name] else { return nil }
        guard value.count <= maxLength else { return try invalid(name, "must be at most \(maxLength) characters") }
        return value
    }

    public func int(_ name: String, in range: ClosedRange<Int>) throws(Problem) -> Int? {
        guard let value = parameters[name] else { return nil }
        guard let n = Int(value), range.contains(n) else {
            return try invalid(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    public func double(_ name: String, in range: ClosedRange<Double>) throws(Problem) -> Double? {
        guard let value = parameters[name] else { return nil }
        guard let n = Double(value), n.isFinite, range.contains(n) else {
            return try invalid(name, "must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`).
    public func bool(_ name: String) throws(Problem) -> Bool? {
        guard let value = parameters[name] else { return nil }
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: return try invalid(name, "must be true or false")
        }
    }

    /// A calendar date `YYYY-MM-DD`, returned as written.
    public func date(_ name: String) throws(Problem) -> String? {
        guard let value = parameters[name] else { return nil }
        guard Resampler.daysSinceEpoch(value) != nil else { return try invalid(name, "must be a date in YYYY-MM-DD form") }
        return value
    }

    /// One of `values`.
    public func string(_ name: String, oneOf values: [String]) throws(Problem) -> String? {
        guard let value = parameters[name] else { return nil }
        guard values.contains(value) else { return try invalid(name, "must be one of \(values.joined(separator: ", "))") }
        return value
    }

    /// One of an enumeration's raw values.
    public func value<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws(Problem) -> E? where E.RawValue == String {
        guard let value = parameters[name] else { return nil }
        guard let parsed = E(rawValue: value) else {
            return try invalid(name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }
}
