import Foundation

/// The effective configuration of one process: command line > environment > defaults.
///
/// Values are checked once, at construction; an invalid value stops start-up with a ``ConfigurationError``
/// that names the key, the offending value and where it came from.
public struct Configuration: Sendable {
    /// Where a value came from, shown in `/api/status/config`.
    public enum Source: String, Sendable, Codable {
        case commandLine = "command-line"
        case environment
        case `default`
    }

    public struct Entry: Sendable {
        public let key: ConfigKey
        public let value: String?
        public let source: Source
    }

    public let entries: [String: Entry]

    /// - Parameters:
    ///   - keys: every key this process understands (unknown command-line keys are refused).
    ///   - commandLine: `key=value` overrides from flags.
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    public init(keys: [ConfigKey], commandLine: [String: String] = [:], environment: [String: String] = [:]) throws(ConfigurationError) {
        var known: [String: ConfigKey] = [:]
        for key in keys { known[key.name] = key }
        for name in commandLine.keys where known[name] == nil {
            throw ConfigurationError(key: name, value: commandLine[name] ?? "", source: .commandLine,
                                     reason: "unknown key; known keys: \(known.keys.sorted().joined(separator: ", "))")
        }
        var entries: [String: Entry] = [:]
        for key in keys {
            let value: String?
            let source: Source
            if let v = commandLine[key.name] {
                (value, source) = (v, .commandLine)
            } else if let v = environment[key.environmentVariable] {
                (value, source) = (v, .environment)
            } else {
                (value, source) = (key.defaultValue, .default)
            }
            if let value, let reason = Self.problem(with: value, for: key.kind) {
                throw ConfigurationError(key: key.name, value: key.isSecret ? "<redacted>" : value, source: source, reason: reason)
            }
            entries[key.name] = Entry(key: key, value: value, source: source)
        }
        self.entries = entries
    }

    /// The text value of a key, or `nil` when it has none.
    public func string(_ key: ConfigKey) -> String? {
        entries[key.name]?.value
    }

    public func int(_ key: ConfigKey) -> Int {
        guard let text = string(key), let value = Int(text) else {
            preconditionFailure("configuration key \(key.name) is not a registered integer with a value")
        }
        return value
    }

    public func seconds(_ key: ConfigKey) -> Duration {
        guard let text = string(key), let value = Double(text) else {
            preconditionFailure("configuration key \(key.name) is not a registered number with a value")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    public func number(_ key: ConfigKey) -> Double {
        guard let text = string(key), let value = Double(text) else {
            preconditionFailure("configuration key \(key.name) is not a registered number with a value")
        }
        return value
    }

    public func bool(_ key: ConfigKey) -> Bool {
        switch string(key) {
        case "true"?: return true
        case "false"?: return false
        default: preconditionFailure("configuration key \(key.name) is not a registered boolean with a value")
        }
    }

    /// The configuration as shown to operators: every key with its value and source, secrets redacted.
    public func redacted() -> [String: RedactedEntry] {
        entries.mapValues { entry in
            RedactedEntry(value: entry.value.map { Self.redact($0, secret: entry.key.isSecret, kind: entry.key.kind) },
                          source: entry.source, secret: entry.key.isSecret)
        }
    }

    public struct RedactedEntry: Sendable, Codable, Equatable {
        public let value: String?
        public let source: Source
        public let secret: Bool
    }

    static func redact(_ value: String, secret: Bool, kind: ConfigKey.Kind) -> String {
        guard secret else { return value }
        if case .url = kind, var components = URLComponents(string: value) {
            if components.password != nil { components.password = "<redacted>" }
            return components.string ?? "<redacted>"
        }
        return "<redacted>"
    }

    static func problem(with value: String, for kind: ConfigKey.Kind) -> String? {
        switch kind {
        case .string:
            return nil
        case .integer(let range):
            guard let v = Int(value.trimmingCharacters(in: .whitespaces)) else { return "must be a whole number" }
            return range.contains(v) ? nil : "must be between \(range.lowerBound) and \(range.upperBound)"
        case .seconds(let range):
            guard let v = Double(value), v.isFinite else { return "must be a number of seconds" }
            return range.contains(v) ? nil : "must be between \(range.lowerBound) and \(range.upperBound) seconds"
        case .number(let range):
            guard let v = Double(value), v.isFinite else { return "must be a number" }
            return range.contains(v) ? nil : "must be between \(range.lowerBound) and \(range.upperBound)"
        case .boolean:
            return value == "true" || value == "false" ? nil : "must be true or false"
        case .url(let schemes):
            guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased() else {
                return "must be a URL"
            }
            guard schemes.contains(scheme) else { return "scheme must be one of \(schemes.sorted().joined(separator: ", "))" }
            if scheme != "sqlite" && (url.host ?? "").isEmpty { return "must name a host" }
            return nil
        case .choice(let choices):
            return choices.contains(value) ? nil : "must be one of \(choices.sorted().joined(separator: ", "))"
        }
    }
}

/// A configuration value that stops start-up. Its description names the key, the value and its source.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let value: String
    public let source: Configuration.Source
    public let reason: String

    public init(key: String, value: String, source: Configuration.Source, reason: String) {
        self.key = key
        self.value = value
        self.source = source
        self.reason = reason
    }

    public var description: String {
        "invalid configuration: \(key) = \"\(value)\" (from \(source.rawValue)): \(reason)"
    }
}
