import Crypto
import Foundation
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

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

    /// Writes `data` and its sidecar atomically (write to a temporary name, then rename: a reader sees the whole file
    /// or none) and returns its checksum. Blocking, so services call it through ``BlockingIO``.
    ///
    /// Not synced to disk: Foundation's `Data.write` ends every write with `fsync`, which on a busy disk can take
    /// seconds to minutes while the upload waits for it. The job that records the payload commits with SQLite's
    /// `synchronous=NORMAL` (or PostgreSQL's defaults), so after a power loss the row and the file may both be missing
    /// or the file alone; a file that did not survive whole fails its checksum at the next read, never silently.
    @discardableResult
    public func store(_ data: Data, at relativePath: String) throws -> String {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let checksum = Self.sha256(data)
        try Self.writeReplacing(data, to: url)
        try Self.writeReplacing(Data("\(checksum)  \(url.lastPathComponent)\n".utf8), to: url.appendingPathExtension("sha256"))
        return checksum
    }

    /// Writes `data` under a temporary name next to `url`, then renames it to `url` (no `fsync`; see ``store(_:at:)``).
    static func writeReplacing(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).part").path
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno))) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        let failure: Int32? = data.withUnsafeBytes { raw -> Int32? in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        let closed = close(descriptor)
        if let failure { throw ArchiveError.io(path: url.path, reason: String(cString: strerror(failure))) }
        guard closed == 0 else { throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno))) }
        guard rename(temporary, url.path) == 0 else { throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno))) }
        renamed = true
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
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .checksumMismatch(let path, let expected, let actual):
            return "raw payload \(path) has SHA-256 \(actual), but \(expected) was recorded: it changed after it was archived"
        case .io(let path, let reason):
            return "raw payload \(path) could not be written: \(reason)"
        }
    }
}
