import Foundation
import Quant
import SQLKit
import ServiceKit

/// A portfolio row with its settings (JSON text).
struct PortfolioRecord: Sendable {
    var view: PortfolioView
    var mapping: String?
    var targets: String?
    var xraySettings: String?

    var id: String { view.id }
    var owner: String { view.owner }
    var baseCurrency: String { view.baseCurrency }
}

/// One stored ledger row.
struct StoredTransaction: Sendable {
    var id: String
    var seq: Int64
    var transaction: Transaction
    var fingerprint: String?
}

/// A new row to insert (its id is made at insert).
struct NewTransaction: Sendable {
    var transaction: Transaction
    var fingerprint: String?
}

/// What one write does to a ledger: rows to insert (in order, after every stored row), rows to replace, rows to delete.
struct LedgerChange: Sendable {
    var inserts: [NewTransaction] = []
    var updates: [StoredTransaction] = []
    var deletes: [String] = []
}

/// Portfolios and their transactions in the service's own database, always with bound parameters.
struct PortfolioStore: Sendable {
    let database: Database
    let bus: EventBus

    enum Setting: String, Sendable { case mapping, targets, xraySettings = "xray_settings" }

    struct PortfolioRow: Decodable {
        let id: String
        let owner: String
        let name: String
        let base_currency: String
        let mapping: String?
        let targets: String?
        let xray_settings: String?
        let created_at: String
        let updated_at: String

        var record: PortfolioRecord {
            PortfolioRecord(view: PortfolioView(id: id, name: name, baseCurrency: base_currency, owner: owner, createdAt: created_at, updatedAt: updated_at),
                            mapping: mapping, targets: targets, xraySettings: xray_settings)
        }
    }

    struct TransactionRow: Decodable {
        let id: String
        let seq: Int64
        let date: String
        let type: String
        let symbol: String
        let quantity: String
        let price: String
        let fee: String
        let amount: String?
        let currency: String
        let note: String
        let fingerprint: String?

        var stored: StoredTransaction {
            let d = { (s: String) in Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")) ?? 0 }
            let t = Transaction(date: LocalDate(date) ?? LocalDate(daysSinceEpoch: 0), type: TransactionType(rawValue: type) ?? .fee, symbol: symbol,
                                quantity: d(quantity), price: d(price), fee: d(fee), currency: currency, amount: amount.map(d), note: note)
            return StoredTransaction(id: id, seq: seq, transaction: t, fingerprint: fingerprint)
        }
    }

    static func now() -> String { Date().formatted(.iso8601) }

    func create(owner: String, name: String, baseCurrency: String) async throws -> PortfolioRecord {
        let now = Self.now()
        let view = PortfolioView(id: UUID().uuidString.lowercased(), name: name, baseCurrency: baseCurrency, owner: owner, createdAt: now, updatedAt: now)
        try await database.withSQL { sql in
            try await sql.raw("""
                INSERT INTO portfolios (id, owner, name, base_currency, created_at, updated_at)
                VALUES (\(bind: view.id), \(bind: owner), \(bind: name), \(bind: baseCurrency), \(bind: now), \(bind: now))
                """).run()
        }
        return PortfolioRecord(view: view)
    }

    func list(owner: String) async throws -> [PortfolioView] {
        try await database.withSQL { sql in
            try await sql.raw("""
                SELECT id, owner, name, base_currency, mapping, targets, xray_settings, created_at, updated_at
                FROM portfolios WHERE owner = \(bind: owner) ORDER BY created_at, id
                """).all(decoding: PortfolioRow.self).map(\.record.view)
        }
    }

    func find(_ id: String) async throws -> PortfolioRecord? {
        try await database.withSQL { sql in
            try await sql.raw("""
                SELECT id, owner, name, base_currency, mapping, targets, xray_settings, created_at, updated_at
                FROM portfolios WHERE id = \(bind: id)
                """).first(decoding: PortfolioRow.self)?.record
        }
    }

    func update(_ id: String, name: String?, baseCurrency: String?) async throws {
        try await database.withSQL { sql in
            try await sql.raw("""
                UPDATE portfolios SET name = COALESCE(\(bind: name), name), base_currency = COALESCE(\(bind: baseCurrency), base_currency),
                    updated_at = \(bind: Self.now()) WHERE id = \(bind: id)
                """).run()
        }
    }

    func delete(_ id: String) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM transactions WHERE portfolio_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM portfolios WHERE id = \(bind: id)").run()
        }
    }

    func save(_ setting: Setting, _ text: String?, of id: String) async throws {
        try await database.withSQL { sql in
            try await sql.raw("""
                UPDATE portfolios SET \(unsafeRaw: setting.rawValue) = \(bind: text), updated_at = \(bind: Self.now()) WHERE id = \(bind: id)
                """).run()
        }
    }

    /// Every row of the portfolio in ledger order (date, then as recorded).
    func transactions(of id: String) async throws -> [StoredTransaction] {
        try await database.withSQL { sql in try await Self.transactions(of: id, in: sql) }
    }

    static func transactions(of id: String, in sql: any SQLDatabase) async throws -> [StoredTransaction] {
        try await sql.raw("""
            SELECT id, seq, date, type, symbol, quantity, price, fee, amount, currency, note, fingerprint
            FROM transactions WHERE portfolio_id = \(bind: id) ORDER BY date, seq
            """).all(decoding: TransactionRow.self).map(\.stored)
    }

    /// Applies the change `plan` makes of the stored rows, in one transaction that holds the portfolio's lock
    /// from reading the rows to committing, so concurrent writers validate against what the other committed.
    /// New rows' event is published through the outbox in the same transaction. `plan` throws to change nothing.
    func change(_ id: String, source: String, _ plan: @escaping @Sendable ([StoredTransaction]) throws -> LedgerChange) async throws -> [String] {
        let engine = database.engine
        let bus = self.bus
        return try await database.transaction { sql in
            if engine == .postgres {
                try await sql.raw("SELECT id FROM portfolios WHERE id = \(bind: id) FOR UPDATE").run()
            }
            let rows = try await Self.transactions(of: id, in: sql)
            let change = try plan(rows)
            for row in change.deletes { try await sql.raw("DELETE FROM transactions WHERE id = \(bind: row) AND portfolio_id = \(bind: id)").run() }
            for row in change.updates {
                let t = row.transaction
                try await sql.raw("""
                    UPDATE transactions SET date = \(bind: t.date.description), type = \(bind: t.type.rawValue), symbol = \(bind: t.symbol),
                        quantity = \(bind: t.quantity.description), price = \(bind: t.price.description), fee = \(bind: t.fee.description),
                        amount = \(bind: t.amount?.description), currency = \(bind: t.currency), note = \(bind: t.note)
                    WHERE id = \(bind: row.id) AND portfolio_id = \(bind: id)
                    """).run()
            }
            var ids: [String] = []
            ids.reserveCapacity(change.inserts.count)
            var seq = (rows.map(\.seq).max() ?? 0) + 1
            let now = Self.now()
            // Multi-row statements: 14 values a row keeps a 400-row statement well under both engines' bind limits.
            for chunk in stride(from: 0, to: change.inserts.count, by: 400) {
                var query = SQLQueryString("""
                    INSERT INTO transactions (id, portfolio_id, seq, date, type, symbol, quantity, price, fee, amount, currency, note, fingerprint, created_at) VALUES 
                    """)
                for (i, row) in change.inserts[chunk..<min(chunk + 400, change.inserts.count)].enumerated() {
                    let t = row.transaction
                    let rowID = UUID().uuidString.lowercased()
                    ids.append(rowID)
                    query = query + (i == 0 ? "" : ", ") + """
                        (\(bind: rowID), \(bind: id), \(bind: seq), \(bind: t.date.description), \(bind: t.type.rawValue), \(bind: t.symbol), \
                        \(bind: t.quantity.description), \(bind: t.price.description), \(bind: t.fee.description), \(bind: t.amount?.description), \
                        \(bind: t.currency), \(bind: t.note), \(bind: row.fingerprint), \(bind: now))
                        """
                    seq += 1
                }
                try await sql.raw(query).run()
            }
            for chunk in stride(from: 0, to: ids.count, by: 1000) {
                let part = Array(ids[chunk..<min(chunk + 1000, ids.count)])
                try await bus.publish(topic: TransactionRecordedEvent.topic, key: id,
                                      json: TransactionRecordedEvent(portfolioID: id, transactionIDs: part, count: part.count, source: source), in: sql)
            }
            if !change.inserts.isEmpty || !change.updates.isEmpty || !change.deletes.isEmpty {
                try await sql.raw("UPDATE portfolios SET updated_at = \(bind: now) WHERE id = \(bind: id)").run()
            }
            return ids
        }
    }
}
