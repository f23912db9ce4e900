import Foundation
import SQLKit
import ServiceKit

/// A signal as answered and as published on `strategy.signal.generated`.
struct SignalView: Codable, Sendable, Equatable {
    static let topic = "strategy.signal.generated"

    var strategyID: String
    var owner: String?
    var symbol: String
    /// The bar whose close produced the signal (its order fills from the next bar on).
    var barDate: String
    var action: String
    var quantity: Double
    /// The close of `bar_date`.
    var price: Double
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case symbol, action, quantity, price, owner
        case strategyID = "strategy_id"
        case barDate = "bar_date"
        case createdAt = "created_at"
    }

    /// One event per strategy, symbol and bar: the bus drops a second publish of the same id.
    var eventID: String { "signal:\(strategyID):\(symbol):\(barDate)" }
}

/// The paper account of a live strategy after its latest bar, as stored and answered.
struct PaperAccount: Codable, Sendable, Equatable {
    struct Position: Codable, Sendable, Equatable {
        var symbol: String
        var quantity: Double
        var close: Double
        var value: Double
    }

    struct WorkingOrder: Codable, Sendable, Equatable {
        var symbol: String
        var side: String
        var type: String
        var placed: String?
    }

    struct Point: Codable, Sendable, Equatable {
        var date: String
        var equity: Double
    }

    var strategyID: String
    var asOf: String?
    var capital: Double
    var cash: Double
    var equity: Double
    var positions: [Position]
    var orders: [WorkingOrder]
    var fills: [FillView]
    var equitySeries: [Point]
    var statistics: JSONValue?

    enum CodingKeys: String, CodingKey {
        case capital, cash, equity, positions, orders, fills, statistics
        case strategyID = "strategy_id"
        case asOf = "as_of"
        case equitySeries = "equity_series"
    }

    static func empty(strategyID: String, capital: Double) -> PaperAccount {
        PaperAccount(strategyID: strategyID, asOf: nil, capital: capital, cash: capital, equity: capital, positions: [], orders: [], fills: [],
                     equitySeries: [], statistics: nil)
    }
}

/// Signals and paper accounts. A signal is inserted once per (strategy, symbol, bar) and published in the same
/// transaction through the outbox, so a redelivered bar event, a second replica or a restart never publishes it twice.
struct SignalStore: Sendable {
    let database: Database
    let bus: EventBus

    private struct Row: Decodable {
        let strategy_id: String
        let symbol: String
        let bar_date: String
        let action: String
        let quantity: Double
        let price: Double
        let created_at: Int64

        var view: SignalView {
            SignalView(strategyID: strategy_id, owner: nil, symbol: symbol, barDate: bar_date, action: action, quantity: quantity, price: price,
                       createdAt: Millis.date(created_at))
        }
    }

    func list(strategyID: String, limit: Int, offset: Int) async throws -> (items: [SignalView], total: Int) {
        try await database.withSQL { sql in
            struct Count: Decodable { let n: Int64 }
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM strategy_signals WHERE strategy_id = \(bind: strategyID)")
                .first(decoding: Count.self)?.n ?? 0
            let rows = try await sql.raw("""
                SELECT strategy_id, symbol, bar_date, action, quantity, price, created_at FROM strategy_signals
                WHERE strategy_id = \(bind: strategyID) ORDER BY bar_date DESC, symbol LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all(decoding: Row.self)
            return (rows.map(\.view), Int(total))
        }
    }

    /// Records the account and the signals that are new, publishing each new one, in one transaction; answers the
    /// signals that were new. Nothing is written when the strategy was deleted or stopped meanwhile.
    func record(_ account: PaperAccount, signals: [SignalView]) async throws -> [SignalView] {
        let state = try StoredJSON.text(account)
        let bus = self.bus
        return try await database.transaction { sql in
            struct Live: Decodable { let live: Int64 }
            guard let row = try await sql.raw("SELECT live FROM strategies WHERE id = \(bind: account.strategyID)").first(decoding: Live.self),
                  row.live != 0 else { return [] }
            var fresh: [SignalView] = []
            for signal in signals {
                let inserted = try await sql.raw("""
                    INSERT INTO strategy_signals (strategy_id, symbol, bar_date, action, quantity, price, created_at)
                    VALUES (\(bind: signal.strategyID), \(bind: signal.symbol), \(bind: signal.barDate), \(bind: signal.action),
                            \(bind: signal.quantity), \(bind: signal.price), \(bind: Millis.now()))
                    ON CONFLICT (strategy_id, symbol, bar_date) DO NOTHING RETURNING symbol
                    """).first()
                guard inserted != nil else { continue }
                try await bus.publish(topic: SignalView.topic, key: signal.strategyID, json: signal, eventID: signal.eventID, in: sql)
                fresh.append(signal)
            }
            try await sql.raw("""
                INSERT INTO paper_accounts (strategy_id, as_of, state, updated_at)
                VALUES (\(bind: account.strategyID), \(bind: account.asOf), \(bind: state), \(bind: Millis.now()))
                ON CONFLICT (strategy_id) DO UPDATE SET as_of = excluded.as_of, state = excluded.state, updated_at = excluded.updated_at
                """).run()
            return fresh
        }
    }

    func paper(_ strategyID: String) async throws -> PaperAccount? {
        struct Row: Decodable { let state: String }
        guard let row = try await database.withSQL({ sql in
            try await sql.raw("SELECT state FROM paper_accounts WHERE strategy_id = \(bind: strategyID)").first(decoding: Row.self)
        }) else { return nil }
        return try StoredJSON.decode(PaperAccount.self, row.state)
    }
}
