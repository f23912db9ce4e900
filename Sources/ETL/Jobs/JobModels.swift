import Foundation
import ServiceKit

/// A job's life: queued → running → succeeded | failed. A transform puts a finished job back to queued.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued, running, succeeded, failed
}

/// One symbol of a job: queued → running → succeeded | failed, with `retrying` between attempts.
public enum ItemState: String, Sendable, Codable, CaseIterable {
    case queued, running, retrying, succeeded, failed

    var isTerminal: Bool { self == .succeeded || self == .failed }
}

/// What a collection job asks for, as posted and as stored.
public struct JobRequest: Sendable, Codable, Equatable {
    public var symbols: [String]
    public var from: String?
    public var to: String?
    public var options: [String: String]

    public init(symbols: [String], from: String? = nil, to: String? = nil, options: [String: String] = [:]) {
        self.symbols = symbols
        self.from = from
        self.to = to
        self.options = options
    }

    func fetchRequest(symbol: String) -> FetchRequest {
        FetchRequest(symbol: symbol, from: from, to: to, options: options)
    }
}

/// A payload kept in the raw archive for one item of a job.
public struct ArchivedPayload: Sendable, Codable, Equatable {
    public let path: String
    public let sha256: String
    public let bytes: Int
    public let fetchedAt: Date

    enum CodingKeys: String, CodingKey {
        case path, sha256, bytes
        case fetchedAt = "fetched_at"
    }
}

/// The state of one symbol of a job, as `GET /status/{job_id}` shows it.
public struct ItemStatus: Sendable, Codable, Equatable {
    public let symbol: String
    public let state: ItemState
    public let attempts: Int
    public let rows: Int
    public let bars: Int
    public let events: Int
    public let error: String?
    /// Bad rows (line, column, reason) when the series failed its row rules; at most 100 are kept.
    public let issues: [RowIssue]
    public let quality: QualityReport?
    public let nextAttemptAt: Date?
    public let archive: [ArchivedPayload]

    enum CodingKeys: String, CodingKey {
        case symbol, state, attempts, rows, bars, events, error, issues, quality, archive
        case nextAttemptAt = "next_attempt_at"
    }
}

/// A job with its items, counts, timings and quality report: the body of `GET /api/v1/etl/status/{job_id}`.
public struct JobStatus: Sendable, Codable, Equatable {
    public struct Counts: Sendable, Codable, Equatable {
        public var items = 0, queued = 0, running = 0, retrying = 0, succeeded = 0, failed = 0
        /// Rows read, bars that passed validation, events published (over all items).
        public var rows = 0, bars = 0, events = 0
    }

    public struct Timings: Sendable, Codable, Equatable {
        public let createdAt: Date
        public let startedAt: Date?
        public let finishedAt: Date?
        /// From start to finish, or to now while running.
        public let durationSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case createdAt = "created_at"
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case durationSeconds = "duration_seconds"
        }
    }

    public struct ItemError: Sendable, Codable, Equatable {
        public let symbol: String
        public let message: String
    }

    public let id: String
    public let source: String
    public let state: JobState
    /// 0 for the collection, n after the n-th transform.
    public let run: Int
    public let request: JobRequest
    public let counts: Counts
    /// Share of items in a final state, 0–1.
    public let progress: Double
    /// Mean quality score of the validated series, when any.
    public let qualityScore: Double?
    public let timings: Timings
    public let errors: [ItemError]
    public let items: [ItemStatus]

    enum CodingKeys: String, CodingKey {
        case id, source, state, run, request, counts, progress, timings, errors, items
        case qualityScore = "quality_score"
    }
}

/// Milliseconds since 1970, the time unit of the etl tables (the same on both engines).
enum Clock {
    static func millis(_ date: Date = Date()) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    static func millis(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
