import Foundation
import SQLKit
import ServiceKit

extension JobStore {
    struct JobRow: Decodable {
        let id: String
        let source: String
        let state: String
        let request: String
        let run: Int64
        let created_at: Int64
        let started_at: Int64?
        let finished_at: Int64?
    }

    struct ItemRow: Decodable {
        let symbol: String
        let state: String
        let attempts: Int64
        let next_attempt_at: Int64
        let rows_read: Int64
        let bars: Int64
        let events: Int64
        let error: String?
        let issues: String?
        let quality: String?
    }

    /// The job's status and report, or `nil` when there is no such job.
    func status(_ id: String) async throws -> JobStatus? {
        let found: (JobRow, [ItemRow])? = try await database.withSQL { sql in
            guard let job = try await sql.raw("""
                SELECT id, source, state, request, run, created_at, started_at, finished_at FROM etl_jobs WHERE id = \(bind: id)
                """).first(decoding: JobRow.self) else { return nil }
            let items = try await sql.raw("""
                SELECT symbol, state, attempts, next_attempt_at, rows_read, bars, events, error, issues, quality
                FROM etl_items WHERE job_id = \(bind: id) ORDER BY position
                """).all(decoding: ItemRow.self)
            return (job, items)
        }
        guard let (job, rows) = found else { return nil }
        let archive = try await archived(jobID: id)
        var counts = JobStatus.Counts()
        var items: [ItemStatus] = []
        for row in rows {
            let state = ItemState(rawValue: row.state) ?? .queued
            let quality = try row.quality.map { try Self.decode(QualityReport.self, $0) }
            items.append(ItemStatus(symbol: row.symbol, state: state, attempts: Int(row.attempts), rows: Int(row.rows_read), bars: Int(row.bars),
                                    events: Int(row.events), error: row.error, issues: try row.issues.map { try Self.decode([RowIssue].self, $0) } ?? [],
                                    quality: quality, nextAttemptAt: state == .retrying ? Clock.date(row.next_attempt_at) : nil,
                                    archive: archive[row.symbol] ?? []))
            counts.items += 1
            switch state {
            case .queued: counts.queued += 1
            case .running: counts.running += 1
            case .retrying: counts.retrying += 1
            case .succeeded: counts.succeeded += 1
            case .failed: counts.failed += 1
            }
            counts.rows += Int(row.rows_read)
            counts.bars += Int(row.bars)
            counts.events += Int(row.events)
        }
        let scores = items.compactMap { $0.quality?.score }
        let started = job.started_at.map(Clock.date)
        let finished = job.finished_at.map(Clock.date)
        let duration = started.map { (finished ?? Date()).timeIntervalSince($0) }
        return JobStatus(
            id: job.id, source: job.source, state: JobState(rawValue: job.state) ?? .queued, run: Int(job.run),
            request: try Self.decode(JobRequest.self, job.request), counts: counts,
            progress: counts.items == 0 ? 1 : Double(counts.succeeded + counts.failed) / Double(counts.items),
            qualityScore: scores.isEmpty ? nil : (scores.reduce(0, +) / Double(scores.count) * 10).rounded() / 10,
            timings: .init(createdAt: Clock.date(job.created_at), startedAt: started, finishedAt: finished, durationSeconds: duration),
            errors: items.compactMap { item in item.error.map { JobStatus.ItemError(symbol: item.symbol, message: $0) } },
            items: items)
    }

    enum TransformOutcome: Equatable {
        case queued(run: Int)
        case notFound
        case busy(JobState)
    }

    /// Queues a finished job again to replay its archived payloads (run + 1), with `options` merged into its request;
    /// refused while the job is still queued or running. One transaction.
    func requeueForTransform(_ id: String, options: [String: String]) async throws -> TransformOutcome {
        try await database.transaction { sql in
            guard let job = try await sql.raw("""
                SELECT id, source, state, request, run, created_at, started_at, finished_at FROM etl_jobs WHERE id = \(bind: id)
                """).first(decoding: JobRow.self) else { return .notFound }
            let state = JobState(rawValue: job.state) ?? .queued
            guard state == .succeeded || state == .failed else { return .busy(state) }
            var request = try Self.decode(JobRequest.self, job.request)
            request.options.merge(options) { _, new in new }
            let now = Clock.millis()
            let run = Int(job.run) + 1
            try await sql.raw("""
                UPDATE etl_jobs SET state = 'queued', run = \(bind: run), request = \(bind: try Self.json(request)), started_at = NULL,
                    finished_at = NULL, updated_at = \(bind: now) WHERE id = \(bind: id)
                """).run()
            try await sql.raw("""
                UPDATE etl_items SET state = 'queued', attempts = 0, next_attempt_at = \(bind: now), lease_until = 0, claim = NULL,
                    rows_read = 0, bars = 0, events = 0, error = NULL, issues = NULL, quality = NULL WHERE job_id = \(bind: id)
                """).run()
            return .queued(run: run)
        }
    }
}
