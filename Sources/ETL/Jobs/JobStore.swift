import Foundation
import SQLKit
import ServiceKit

/// The `etl` tables: jobs, their items (one per symbol) and the raw payloads archived for them. Every state change
/// that must be atomic (a job and its items, an item and its events) is one transaction.
struct JobStore: Sendable {
    let database: Database

    /// An item a worker has claimed: it owns it until `lease_until`, and only while `token` is still recorded.
    struct Claim: Sendable, Equatable {
        let jobID: String
        let symbol: String
        let source: String
        let run: Int
        let request: JobRequest
        let attempts: Int
        let token: String
    }

    /// A claim whose lease expired and was taken over by another worker: its results are dropped.
    struct StaleClaim: Error {}

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try ServiceJSON.encoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try ServiceJSON.decoder().decode(type, from: Data(text.utf8))
    }

    /// Records a new job and its queued items (and, for an upload, its archived payload) in one transaction.
    func create(id: String, source: String, request: JobRequest, upload: ArchivedPayload? = nil) async throws {
        let now = Clock.millis()
        let requestText = try Self.json(request)
        try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO etl_jobs (id, source, state, request, run, created_at, updated_at)
                VALUES (\(bind: id), \(bind: source), \(bind: JobState.queued.rawValue), \(bind: requestText), 0, \(bind: now), \(bind: now))
                """).run()
            for (position, symbol) in request.symbols.enumerated() {
                try await sql.raw("""
                    INSERT INTO etl_items (job_id, symbol, position, state, attempts, next_attempt_at, lease_until, rows_read, bars, events)
                    VALUES (\(bind: id), \(bind: symbol), \(bind: position), \(bind: ItemState.queued.rawValue), 0, \(bind: now), 0, 0, 0, 0)
                    """).run()
            }
            if let upload, let symbol = request.symbols.first {
                try await Self.insertRaw(upload, jobID: id, symbol: symbol, sequence: 1, in: sql)
            }
        }
    }

    static func insertRaw(_ payload: ArchivedPayload, jobID: String, symbol: String, sequence: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO etl_raw (job_id, symbol, sequence, path, sha256, bytes, fetched_at)
            VALUES (\(bind: jobID), \(bind: symbol), \(bind: sequence), \(bind: payload.path), \(bind: payload.sha256), \(bind: payload.bytes),
                    \(bind: Clock.millis(payload.fetchedAt)))
            """).run()
    }

    /// Claims up to `limit` due items: queued or retrying ones whose time has come, and running ones whose lease
    /// expired (their worker died). PostgreSQL skips rows other workers hold; SQLite serialises writers anyway.
    func claimDue(limit: Int, lease: Duration) async throws -> [Claim] {
        let lock = database.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await database.transaction { sql in
            let now = Clock.millis()
            struct Due: Decodable { let job_id: String; let symbol: String; let attempts: Int64 }
            let due = try await sql.raw("""
                SELECT job_id, symbol, attempts FROM etl_items
                WHERE (state IN ('queued', 'retrying') AND next_attempt_at <= \(bind: now)) OR (state = 'running' AND lease_until <= \(bind: now))
                ORDER BY next_attempt_at, position LIMIT \(bind: limit)\(unsafeRaw: lock)
                """).all(decoding: Due.self)
            var claims: [Claim] = []
            for item in due {
                let token = UUID().uuidString
                try await sql.raw("""
                    UPDATE etl_items SET state = 'running', attempts = attempts + 1, lease_until = \(bind: now + Clock.millis(lease)),
                        claim = \(bind: token) WHERE job_id = \(bind: item.job_id) AND symbol = \(bind: item.symbol)
                    """).run()
                try await sql.raw("""
                    UPDATE etl_jobs SET state = 'running', started_at = COALESCE(started_at, \(bind: now)), updated_at = \(bind: now)
                    WHERE id = \(bind: item.job_id)
                    """).run()
                struct Job: Decodable { let source: String; let run: Int64; let request: String }
                guard let job = try await sql.raw("SELECT source, run, request FROM etl_jobs WHERE id = \(bind: item.job_id)").first(decoding: Job.self) else { continue }
                claims.append(Claim(jobID: item.job_id, symbol: item.symbol, source: job.source, run: Int(job.run),
                                    request: try Self.decode(JobRequest.self, job.request), attempts: Int(item.attempts) + 1, token: token))
            }
            return claims
        }
    }

    /// The next sequence number of a payload of this item in the archive.
    func nextRawSequence(jobID: String, symbol: String) async throws -> Int {
        try await database.withSQL { sql in
            struct Row: Decodable { let next: Int64 }
            let row = try await sql.raw("SELECT COALESCE(MAX(sequence), 0) + 1 AS next FROM etl_raw WHERE job_id = \(bind: jobID) AND symbol = \(bind: symbol)")
                .first(decoding: Row.self)
            return Int(row?.next ?? 1)
        }
    }

    func recordRaw(_ payload: ArchivedPayload, jobID: String, symbol: String, sequence: Int) async throws {
        try await database.withSQL { sql in try await Self.insertRaw(payload, jobID: jobID, symbol: symbol, sequence: sequence, in: sql) }
    }

    /// Payloads of a job, oldest first per symbol.
    func archived(jobID: String) async throws -> [String: [ArchivedPayload]] {
        struct Row: Decodable { let symbol: String; let path: String; let sha256: String; let bytes: Int64; let fetched_at: Int64 }
        let rows = try await database.withSQL { sql in
            try await sql.raw("SELECT symbol, path, sha256, bytes, fetched_at FROM etl_raw WHERE job_id = \(bind: jobID) ORDER BY symbol, sequence")
                .all(decoding: Row.self)
        }
        return Dictionary(grouping: rows, by: \.symbol).mapValues { rows in
            rows.map { ArchivedPayload(path: $0.path, sha256: $0.sha256, bytes: Int($0.bytes), fetchedAt: Clock.date($0.fetched_at)) }
        }
    }

    /// Marks the claimed item succeeded and publishes its bars in batches, in one transaction (the outbox): the events
    /// exist if and only if the item is recorded as done. Throws ``StaleClaim`` (and publishes nothing) when the
    /// claim was taken over.
    func complete(_ claim: Claim, series: ValidatedSeries, rows: Int, batchBars: Int, bus: EventBus) async throws {
        let qualityText = try Self.json(series.quality)
        let bars = series.bars.map { BarsCollectedEvent.Bar(date: $0.date, open: $0.open, high: $0.high, low: $0.low, close: $0.close,
                                                            adjClose: $0.adjClose, volume: $0.volume) }
        let starts = Array(stride(from: 0, to: bars.count, by: batchBars))
        try await database.transaction { sql in
            for (index, start) in starts.enumerated() {
                let event = BarsCollectedEvent(symbol: claim.symbol, source: claim.source, jobID: claim.jobID, run: claim.run, batchIndex: index,
                                               batchCount: starts.count, bars: Array(bars[start..<min(start + batchBars, bars.count)]),
                                               instrument: series.instrument, qualityScore: series.quality.score)
                try await bus.publish(topic: BarsCollectedEvent.topic, key: claim.symbol, json: event,
                                      eventID: BarsCollectedEvent.eventID(jobID: claim.jobID, run: claim.run, symbol: claim.symbol, batchIndex: index),
                                      in: sql)
            }
            try await Self.finish(claim, state: .succeeded, set: """
                rows_read = \(bind: rows), bars = \(bind: bars.count), events = \(bind: starts.count), quality = \(bind: qualityText),
                error = NULL, issues = NULL
                """, in: sql)
        }
    }

    /// Marks the claimed item failed for good, with its error and (for bad rows) the first 100 row issues.
    func fail(_ claim: Claim, error: String, issues: [RowIssue] = [], rows: Int = 0) async throws {
        let issuesText = issues.isEmpty ? nil : try Self.json(Array(issues.prefix(100)))
        try await database.transaction { sql in
            try await Self.finish(claim, state: .failed, set: "rows_read = \(bind: rows), error = \(bind: error), issues = \(bind: issuesText)", in: sql)
        }
    }

    /// Puts the claimed item back to wait until `at` (a transient failure with attempts left).
    func retry(_ claim: Claim, error: String, at: Date) async throws {
        try await database.transaction { sql in
            try await Self.finish(claim, state: .retrying, set: "error = \(bind: error), next_attempt_at = \(bind: Clock.millis(at))", in: sql)
        }
    }

    /// Sets the item's new state (releasing the claim) and, once every item of the job is final, the job's.
    static func finish(_ claim: Claim, state: ItemState, set: SQLQueryString, in sql: any SQLDatabase) async throws {
        let now = Clock.millis()
        let updated = try await sql.raw("""
            UPDATE etl_items SET state = \(bind: state.rawValue), lease_until = 0, claim = NULL, \(set)
            WHERE job_id = \(bind: claim.jobID) AND symbol = \(bind: claim.symbol) AND claim = \(bind: claim.token) RETURNING symbol
            """).first()
        guard updated != nil else { throw StaleClaim() }
        struct Counts: Decodable { let open: Int64; let failed: Int64 }
        let counts = try await sql.raw("""
            SELECT COALESCE(SUM(CASE WHEN state IN ('succeeded', 'failed') THEN 0 ELSE 1 END), 0) AS open,
                   COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) AS failed
            FROM etl_items WHERE job_id = \(bind: claim.jobID)
            """).first(decoding: Counts.self)
        guard let counts, counts.open == 0 else { return }
        let jobState = counts.failed > 0 ? JobState.failed : .succeeded
        try await sql.raw("""
            UPDATE etl_jobs SET state = \(bind: jobState.rawValue), finished_at = \(bind: now), updated_at = \(bind: now) WHERE id = \(bind: claim.jobID)
            """).run()
    }
}
