import Foundation
import Quant
import SQLKit
import ServiceKit

enum Millis {
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}

/// The rule of an alert as the API takes and answers it (snake_case; the condition is Quant's `AlertCondition`
/// document: `{"type": "crossingUp", "level": 30}`, operands a number or an expression).
struct RuleWire: Codable, Sendable, Equatable {
    struct Limit: Codable, Sendable, Equatable {
        var count: Int
        var windowSeconds: Double
        enum CodingKeys: String, CodingKey { case count, windowSeconds = "window_seconds" }
    }

    var condition: AlertCondition
    var mode: TriggerMode?
    var expires: String?
    var cooldownSeconds: Double?
    var limit: Limit?

    enum CodingKeys: String, CodingKey {
        case condition, mode, expires, limit
        case cooldownSeconds = "cooldown_seconds"
    }

    init(_ rule: AlertRule) {
        (condition, mode, expires, cooldownSeconds) = (rule.condition, rule.mode, rule.expires, rule.cooldownSeconds)
        limit = Limit(count: rule.limit.count, windowSeconds: rule.limit.windowSeconds)
    }

    func rule() throws(QuantError) -> AlertRule {
        try AlertRule(condition, mode: mode ?? .oncePerBar, expires: expires, cooldownSeconds: cooldownSeconds ?? 0,
                      limit: limit.map { TriggerLimit(count: $0.count, windowSeconds: $0.windowSeconds) } ?? .tradingView)
    }
}

/// A stored alert.
struct AlertRecord: Sendable {
    var id: String
    var owner: String
    var name: String
    var symbol: String
    /// The number expression the condition watches (`close` by default).
    var source: String
    var rule: AlertRule
    var state: AlertState
    var active: Bool
    var createdAt: Int64
    var updatedAt: Int64

    struct View: Encodable {
        struct State: Encodable {
            var triggerCount: Int
            var lastTriggeredBar: String?
            var lastEvaluatedBar: String?
            var stopped: String?
            enum CodingKeys: String, CodingKey {
                case stopped
                case triggerCount = "trigger_count", lastTriggeredBar = "last_triggered_bar", lastEvaluatedBar = "last_evaluated_bar"
            }
        }
        var id: String
        var owner: String
        var name: String
        var symbol: String
        var source: String
        var rule: RuleWire
        var active: Bool
        var state: State
        var createdAt: Date
        var updatedAt: Date
        enum CodingKeys: String, CodingKey {
            case id, owner, name, symbol, source, rule, active, state
            case createdAt = "created_at", updatedAt = "updated_at"
        }
    }

    var view: View {
        View(id: id, owner: owner, name: name, symbol: symbol, source: source, rule: RuleWire(rule), active: active,
             state: .init(triggerCount: state.triggerCount, lastTriggeredBar: state.lastTriggeredBar, lastEvaluatedBar: state.lastEvaluatedBar,
                          stopped: state.stopped?.rawValue),
             createdAt: Millis.date(createdAt), updatedAt: Millis.date(updatedAt))
    }
}

/// One inbox entry.
struct InboxEntry: Codable, Sendable {
    var id: String
    var alertID: String?
    var kind: String
    var title: String
    var body: JSONValue
    var createdAt: Date
    var read: Bool

    enum CodingKeys: String, CodingKey {
        case id, kind, title, body, read
        case alertID = "alert_id", createdAt = "created_at"
    }
}

/// The payload of `alerts.triggered`.
struct AlertTriggered: Codable, Sendable {
    static let topic = "alerts.triggered"
    var alertID: String
    var owner: String
    var name: String
    var symbol: String
    var bar: String
    var value: Double
    var condition: AlertCondition
    var triggerCount: Int

    enum CodingKeys: String, CodingKey {
        case owner, name, symbol, bar, value, condition
        case alertID = "alert_id", triggerCount = "trigger_count"
    }
}

/// Alerts and the inbox.
struct AlertStore: Sendable {
    let database: Database
    let bus: EventBus

    private struct Row: Decodable {
        let id: String, owner: String, name: String, symbol: String, source: String, rule: String, state: String
        let active: Int64, created_at: Int64, updated_at: Int64

        func record() throws -> AlertRecord {
            AlertRecord(id: id, owner: owner, name: name, symbol: symbol, source: source,
                        rule: try ServiceJSON.decoder().decode(AlertRule.self, from: Data(rule.utf8)),
                        state: try ServiceJSON.decoder().decode(AlertState.self, from: Data(state.utf8)), active: active != 0,
                        createdAt: created_at, updatedAt: updated_at)
        }
    }

    static let columns = "id, owner, name, symbol, source, rule, state, active, created_at, updated_at"

    static func text(_ value: some Encodable) throws -> String { String(decoding: try ServiceJSON.encoder().encode(value), as: UTF8.self) }

    func create(_ a: AlertRecord) async throws {
        let (rule, state) = (try Self.text(a.rule), try Self.text(a.state))
        try await database.withSQL { sql in
            try await sql.raw("""
                INSERT INTO alerts (id, owner, name, symbol, source, rule, state, active, created_at, updated_at)
                VALUES (\(bind: a.id), \(bind: a.owner), \(bind: a.name), \(bind: a.symbol), \(bind: a.source), \(bind: rule), \(bind: state),
                        \(bind: a.active ? 1 : 0), \(bind: a.createdAt), \(bind: a.updatedAt))
                """).run()
        }
    }

    func update(_ a: AlertRecord) async throws {
        let (rule, state) = (try Self.text(a.rule), try Self.text(a.state))
        try await database.withSQL { sql in
            try await sql.raw("""
                UPDATE alerts SET name = \(bind: a.name), symbol = \(bind: a.symbol), source = \(bind: a.source), rule = \(bind: rule),
                    state = \(bind: state), active = \(bind: a.active ? 1 : 0), updated_at = \(bind: Millis.now()) WHERE id = \(bind: a.id)
                """).run()
        }
    }

    func delete(_ id: String) async throws {
        try await database.withSQL { sql in try await sql.raw("DELETE FROM alerts WHERE id = \(bind: id)").run() }
    }

    func find(_ id: String) async throws -> AlertRecord? {
        try await database.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM alerts WHERE id = \(bind: id)").first(decoding: Row.self)
        }?.record()
    }

    func list(owner: String) async throws -> [AlertRecord] {
        try await database.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM alerts WHERE owner = \(bind: owner) ORDER BY created_at, id").all(decoding: Row.self)
        }.map { try $0.record() }
    }

    func active(symbol: String) async throws -> [AlertRecord] {
        try await database.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM alerts WHERE symbol = \(bind: symbol) AND active = 1 ORDER BY created_at, id")
                .all(decoding: Row.self)
        }.map { try $0.record() }
    }

    /// Stores the alert's new state with an inbox entry and an `alerts.triggered` event per trigger, in one
    /// transaction, provided the stored state is still `before` (another evaluation did not move it meanwhile).
    /// Answers whether it was stored.
    func record(_ alert: AlertRecord, before: AlertState, after: AlertState, triggers: [AlertTrigger]) async throws -> Bool {
        let (old, new) = (try Self.text(before), try Self.text(after))
        let bus = self.bus
        return try await database.transaction { sql in
            let updated = try await sql.raw("""
                UPDATE alerts SET state = \(bind: new), active = \(bind: after.isActive ? 1 : 0), updated_at = \(bind: Millis.now())
                WHERE id = \(bind: alert.id) AND state = \(bind: old) RETURNING id
                """).first()
            guard updated != nil else { return false }
            for (k, t) in triggers.enumerated() {
                let count = before.triggerCount + k + 1
                let dedupe = "alert:\(alert.id):\(t.bar):\(count)"
                let event = AlertTriggered(alertID: alert.id, owner: alert.owner, name: alert.name, symbol: alert.symbol, bar: t.bar, value: t.value,
                                           condition: alert.rule.condition, triggerCount: count)
                let title = "\(alert.symbol): \(alert.name) (\(alert.source) = \(t.value) on \(t.bar))"
                try await sql.raw("""
                    INSERT INTO inbox (id, owner, alert_id, kind, title, body, dedupe, created_at)
                    VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: alert.owner), \(bind: alert.id), 'alert', \(bind: title),
                            \(bind: try Self.text(event)), \(bind: dedupe), \(bind: Millis.now()))
                    ON CONFLICT (dedupe) DO NOTHING
                    """).run()
                try await bus.publish(topic: AlertTriggered.topic, key: alert.id, json: event, eventID: dedupe, in: sql)
            }
            return true
        }
    }

    // MARK: inbox

    private struct InboxRow: Decodable {
        let id: String, alert_id: String?, kind: String, title: String, body: String, created_at: Int64, read_at: Int64?
        func entry() throws -> InboxEntry {
            InboxEntry(id: id, alertID: alert_id, kind: kind, title: title, body: try ServiceJSON.decoder().decode(JSONValue.self, from: Data(body.utf8)),
                       createdAt: Millis.date(created_at), read: read_at != nil)
        }
    }

    func inbox(owner: String, unreadOnly: Bool, limit: Int, offset: Int) async throws -> (items: [InboxEntry], total: Int, unread: Int) {
        try await database.withSQL { sql in
            struct Counts: Decodable { let total: Int64; let unread: Int64 }
            let counts = try await sql.raw("""
                SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) AS unread FROM inbox WHERE owner = \(bind: owner)
                """).first(decoding: Counts.self)
            let filter: SQLQueryString = unreadOnly ? " AND read_at IS NULL" : ""
            let rows = try await sql.raw("""
                SELECT id, alert_id, kind, title, body, created_at, read_at FROM inbox WHERE owner = \(bind: owner)\(filter)
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all(decoding: InboxRow.self)
            return (try rows.map { try $0.entry() }, Int(counts?.total ?? 0), Int(counts?.unread ?? 0))
        }
    }

    /// Marks an entry of `owner` read or unread; false when there is no such entry of theirs.
    func mark(_ id: String, owner: String, read: Bool) async throws -> Bool {
        let at: Int64? = read ? Millis.now() : nil
        return try await database.withSQL { sql in
            try await sql.raw("UPDATE inbox SET read_at = \(bind: at) WHERE id = \(bind: id) AND owner = \(bind: owner) RETURNING id").first() != nil
        }
    }

    func deleteEntry(_ id: String, owner: String) async throws -> Bool {
        try await database.withSQL { sql in
            try await sql.raw("DELETE FROM inbox WHERE id = \(bind: id) AND owner = \(bind: owner) RETURNING id").first() != nil
        }
    }

    func entry(_ id: String, owner: String) async throws -> InboxEntry? {
        try await database.withSQL { sql in
            try await sql.raw("SELECT id, alert_id, kind, title, body, created_at, read_at FROM inbox WHERE id = \(bind: id) AND owner = \(bind: owner)")
                .first(decoding: InboxRow.self)
        }?.entry()
    }
}
