import Crypto
import Foundation
import ServiceKit

/// The raw archive ("data lake"): every payload as received, under `<data.dir>/raw/<source>/<symbol>/<date>-<job>.<ext>`
/// (a second payload of the same job and symbol, after a retry, gets `-<n>` before the extension), next to a
/// `<file>.sha256` sidecar in `sha256sum` format. The checksum is also recorded in the job's database row, and
/// reading a payload back verifies it, so a replay never runs on silently altered data.
public struct RawArchive: Sendable {
    public let root: URL

    public init(dataDir: String) {
        root = URL(fileURLWithPath: dataDir).appendingPathComponent("raw")
    }

    /// Where a payload is kept, relative to ``root`` (what the database records).
    public static func relativePath(source: String, symbol: String, date: String, jobID: String, sequence: Int, fileExtension: String) -> String {
        let suffix = sequence > 1 ? "-\(sequence)" : ""
        return "\(safe(source))/\(safe(symbol))/\(date)-\(safe(jobID))\(suffix).\(safe(fileExtension))"
    }

    /// A path component with anything but letters, digits, `.`, `-` and `_` replaced by `_` (`US:NY.GDP` → `US_NY.GDP`),
    /// and never `.` or `..`.
    static func safe(_ text: String) -> String {
        let mapped = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") ? $0 : "_" })
        return mapped.allSatisfy({ $0 == "." }) ? "_" + mapped : mapped
    }

    /// Lower-case hex SHA-256 of `data`.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).hexString
    }

    /// Writes `data` and its sidecar atomically (write to a temporary name, then rename) and returns its checksum.
    /// Blocking: each file is synced to disk (Foundation's `fsync`), which a busy disk can stretch to seconds, so
    /// services call it through ``BlockingIO``.
    @discardableResult
    public func store(_ data: Data, at relativePath: String) throws -> String {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let checksum = Self.sha256(data)
        try data.write(to: url, options: .atomic)
        try Data("\(checksum)  \(url.lastPathComponent)\n".utf8).write(to: url.appendingPathExtension("sha256"), options: .atomic)
        return checksum
    }

    /// Reads a payload back, checking it against the checksum recorded when it was stored.
    public func load(_ relativePath: String, expecting checksum: String) throws -> Data {
        let data = try Data(contentsOf: root.appendingPathComponent(relativePath))
        let actual = Self.sha256(data)
        guard actual == checksum else { throw ArchiveError.checksumMismatch(path: relativePath, expected: checksum, actual: actual) }
        return data
    }

    /// Removes a payload and its sidecar (an upload whose job could not be recorded).
    public func remove(_ relativePath: String) {
        let url = root.appendingPathComponent(relativePath)
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.removeItem(at: url.appendingPathExtension("sha256"))
    }
}

public enum ArchiveError: Error, CustomStringConvertible, Equatable {
    case checksumMismatch(path: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case .checksumMismatch(let path, let expected, let actual):
            return "raw payload \(path) has SHA-256 \(actual), but \(expected) was recorded: it changed after it was archived"
        }
    }
}
