import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// A `LogHandler` writing one JSON object per line to standard error: `ts`, `level`, `service`, `msg` and
/// every metadata value (request id, trace id, …). Keys named like credentials are redacted.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let redactedKeys: Set<String> = ["authorization", "password", "token", "secret", "api_key", "cookie"]

    public func log(event: LogEvent) {
        var object: [String: JSONValue] = [
            "ts": .string(Self.timestamp()),
            "level": .string(event.level.rawValue),
            "service": .string(label),
            "msg": .string("\(event.message)"),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            object[key] = Self.redactedKeys.contains(key.lowercased()) ? .string("<redacted>") : Self.json(value)
        }
        if event.level >= .warning { object["source"] = .string("\(event.file):\(event.line)") }
        var buffer = JSONValue.object(object).encoded()
        buffer.writeString("\n")
        FileHandle.standardError.write(Data(buffer: buffer))
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let s): return .string(s.description)
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(d.mapValues(json))
        }
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().timeZone(separator: .omitted).time(includingFractionalSeconds: true).timeSeparator(.colon).dateSeparator(.dash))
    }
}

/// Process-wide logging set-up: JSON lines (default) or swift-log's plain text handler.
public enum LoggingSetup {
    private static let once = OnceFlag()

    /// Bootstraps `LoggingSystem` once per process; later calls are ignored.
    public static func bootstrap(format: String, level: Logger.Level) {
        once.run {
            LoggingSystem.bootstrap { label in
                if format == "text" {
                    var handler = StreamLogHandler.standardError(label: label)
                    handler.logLevel = level
                    return handler
                }
                return JSONLogHandler(label: label, level: level)
            }
        }
    }
}

/// Runs a closure at most once per process.
final class OnceFlag: Sendable {
    private let done = Mutex(false)
    func run(_ body: () -> Void) {
        let first = done.withLock { (value: inout Bool) -> Bool in
            defer { value = true }
            return !value
        }
        if first { body() }
    }
}

import Synchronization
