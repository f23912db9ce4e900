import Foundation
import SQLKit
import ServiceKit

/// The states of a run. `queued` → `running` → `succeeded` | `failed`; `queued` or `running` → `cancelled`.
enum RunState: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// Backtests and optimisations: persisted jobs. A worker claims a due run with a lease; a run whose worker died is
/// claimed again when its lease expires (so runs survive restarts); every state change is one statement or one
/// transaction, and a worker whose claim was taken over (or whose run was cancelled) writes nothing more.
struct RunStore: Sendable {
    let database: Database

    enum Kind: String, Codable, Sendable {
        case backtest, optimization
    }

    /// A run as stored (without its result parts).
    struct Record: Sendable {
        var id: String
        var owner: String
        var kind: Kind
        var strategyID: String?
        var request: String
        var definitionHash: String
        var dataHash: String?
        var state: RunState
        var progress: Double
        var error: String?
        var statistics: String?
        var createdAt: Int64
        var startedAt: Int64?
        var finishedAt: Int64?

        func view() throws -> RunView {
            RunView(id: id, kind: kind.rawValue, status: state.rawValue, progress: progress, strategyID: strategyID,
                    request: try StoredJSON.decode(JSONValue.self, request), definitionHash: definitionHash, dataHash: dataHash, error: error,
                    statistics: try statistics.map { try StoredJSON.decode(JSONValue.self, $0) }, createdAt: Millis.date(createdAt),
                    startedAt: startedAt.map(Millis.date), finishedAt: finishedAt.map(Millis.date))
        }
    }

    /// A run a worker holds until `lease_until`, and only while `token` is still recorded.
    struct Claim: Sendable {
        var id: String
        var kind: Kind
        var request: String
        var token: String
        var attempts: Int
    }

    /// The claim was taken over or the run cancelled: the worker drops its result.
    struct Released: Error {}

    private struct Row: Decodable {
        let id: String
        let owner: String
        let kind: String
        let strategy_id: String?
        let request: String
        let definition_hash: String
        let data_hash: String?
        let state: String
        let progress: Double
        let error: String?
        let statistics: String?
        let created_at: Int64
        let started_at: Int64?
        let finished_at: Int64?

        var record: Record {
            Record(id: id, owner: owner, kind: Kind(rawValue: kind) ?? .backtest, strategyID: strategy_id, request: request,
                   definitionHash: definition_hash, dataHash: data_hash, state: RunState(rawValue: state) ?? .failed, progress: progress,
                   error: error, statistics: statistics, createdAt: created_at, startedAt: started_at, finishedAt: finished_at)
        }
    }

    private static let columns = """
        id, owner, kind, strategy_id, request, definition_hash, data_hash, state, progress, error, statistics, created_at, started_at, finished_at
        """

    func create(id: String, owner: String, kind: Kind, strategyID: String?, request: String, definitionHash: String) async throws {
        try await database.withSQL { sql in
            try await sql.raw("""
                INSERT INTO strategy_runs (id, owner, kind, strategy_id, request, definition_hash, state, progress, attempts, lease_until, created_at)
                VALUES (\(bind: id), \(bind: owner), \(bind: kind.rawValue), \(bind: strategyID), \(bind: request), \(bind: definitionHash),
                        'queued', 0, 0, 0, \(bind: Millis.now()))
                """).run()
        }
    }

    func find(_ id: String) async throws -> Record? {
        try await database.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM strategy_runs WHERE id = \(bind: id)").first(decoding: Row.self)
        }?.record
    }

    /// The owner's runs of `kind`, newest first.
    func list(owner: String, kind: Kind, limit: Int, offset: Int) async throws -> (items: [Record], total: Int) {
        try await database.withSQL { sql in
            struct Count: Decodable { let n: Int64 }
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM strategy_runs WHERE owner = \(bind: owner) AND kind = \(bind: kind.rawValue)")
                .first(decoding: Count.self)?.n ?? 0
            let rows = try await sql.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM strategy_runs WHERE owner = \(bind: owner) AND kind = \(bind: kind.rawValue)
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all(decoding: Row.self)
            return (rows.map(\.record), Int(total))
        }
    }

    /// Claims up to `limit` due runs: queued ones, and running ones whose lease expired. PostgreSQL skips rows
    /// another worker is claiming; SQLite serialises writers anyway.
    func claimDue(limit: Int, lease: Duration) async throws -> [Claim] {
        let lock = database.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let leaseMillis = lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000
        return try await database.transaction { sql in
            let now = Millis.now()
            struct Due: Decodable { let id: String; let kind: String; let request: String; let attempts: Int64 }
            let due = try await sql.raw("""
                SELECT id, kind, request, attempts FROM strategy_runs
                WHERE state = 'queued' OR (state = 'running' AND lease_until <= \(bind: now))
                ORDER BY created_at, id LIMIT \(bind: limit)\(unsafeRaw: lock)
                """).all(decoding: Due.self)
            var claims: [Claim] = []
            for run in due {
                let token = UUID().uuidString
                try await sql.raw("""
                    UPDATE strategy_runs SET state = 'running', attempts = attempts + 1, claim = \(bind: token),
                        lease_until = \(bind: now + leaseMillis), started_at = COALESCE(started_at, \(bind: now))
                    WHERE id = \(bind: run.id)
                    """).run()
                claims.append(Claim(id: run.id, kind: Kind(rawValue: run.kind) ?? .backtest, request: run.request, token: token,
                                    attempts: Int(run.attempts) + 1))
            }
            return claims
        }
    }

    /// Records progress (0...1) and extends the lease; throws ``Released`` when the run was cancelled or taken over.
    func progress(_ claim: Claim, _ value: Double, lease: Duration) async throws {
        let leaseMillis = lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000
        let updated = try await database.withSQL { sql in
            try await sql.raw("""
                UPDATE strategy_runs SET progress = \(bind: value), lease_until = \(bind: Millis.now() + leaseMillis)
                WHERE id = \(bind: claim.id) AND claim = \(bind: claim.token) AND state = 'running' RETURNING id
                """).first()
        }
        if updated == nil { throw Released() }
    }

    /// Stores the results and marks the run succeeded, in one transaction; nothing is written when the claim is gone.
    func complete(_ claim: Claim, dataHash: String?, statistics: String, parts: [String: String]) async throws {
        try await database.transaction { sql in
            let updated = try await sql.raw("""
                UPDATE strategy_runs SET state = 'succeeded', progress = 1, data_hash = \(bind: dataHash), statistics = \(bind: statistics),
                    error = NULL, claim = NULL, lease_until = 0, finished_at = \(bind: Millis.now())
                WHERE id = \(bind: claim.id) AND claim = \(bind: claim.token) AND state = 'running' RETURNING id
                """).first()
            guard updated != nil else { throw Released() }
            try await sql.raw("DELETE FROM strategy_results WHERE run_id = \(bind: claim.id)").run()
            for (part, body) in parts.sorted(by: { $0.key < $1.key }) {
                try await sql.raw("INSERT INTO strategy_results (run_id, part, body) VALUES (\(bind: claim.id), \(bind: part), \(bind: body))").run()
            }
        }
    }

    /// Marks the run failed with a message a user can act on.
    func fail(_ claim: Claim, error: String, dataHash: String? = nil) async throws {
        try await database.withSQL { sql in
            try await sql.raw("""
                UPDATE strategy_runs SET state = 'failed', error = \(bind: error), data_hash = COALESCE(\(bind: dataHash), data_hash),
                    claim = NULL, lease_until = 0, finished_at = \(bind: Millis.now())
                WHERE id = \(bind: claim.id) AND claim = \(bind: claim.token) AND state = 'running'
                """).run()
        }
    }

    /// Cancels a queued or running run; false when it had already finished.
    func cancel(_ id: String) async throws -> Bool {
        try await database.withSQL { sql in
            try await sql.raw("""
                UPDATE strategy_runs SET state = 'cancelled', claim = NULL, lease_until = 0, finished_at = \(bind: Millis.now())
                WHERE id = \(bind: id) AND state IN ('queued', 'running') RETURNING id
                """).first() != nil
        }
    }

    /// Deletes a finished run and its results.
    func delete(_ id: String) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM strategy_results WHERE run_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM strategy_runs WHERE id = \(bind: id)").run()
        }
    }

    /// One stored part of a finished run's results (`equity`, `trades`, `fills`, `refusals`, `results`, …).
    func part(_ id: String, _ part: String) async throws -> String? {
        struct Body: Decodable { let body: String }
        return try await database.withSQL { sql in
            try await sql.raw("SELECT body FROM strategy_results WHERE run_id = \(bind: id) AND part = \(bind: part)").first(decoding: Body.self)
        }?.body
    }
}
