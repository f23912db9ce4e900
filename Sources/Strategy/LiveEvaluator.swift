import Foundation
import Logging
import Quant
import ServiceKit

/// Evaluates live strategies when `data.bars.stored` names one of their symbols, and keeps their paper accounts.
///
/// A live strategy's paper account is a deterministic replay: the engine runs the strategy over its symbols' bars
/// from ``warmUpDays`` before the day it went live (so indicators are warm), with orders only from that day on,
/// using the strategy's paper settings (the same fill, fee and slippage models as a backtest). Every order the
/// strategy places on a bar from that day on is a signal, stored once per strategy, symbol and bar and published on
/// `strategy.signal.generated` in the same transaction. Replaying from stored bars makes the account survive
/// restarts and makes a redelivered event harmless: it replays to the same signals, which are already stored.
struct LiveEvaluator: Sendable {
    static let warmUpDays = 1100

    let strategies: StrategyStore
    let signals: SignalStore
    let bars: BarsClient
    let logger: Logger

    /// Evaluates every live strategy that trades `symbol`.
    func barsStored(symbol: String) async throws {
        for record in try await strategies.live() where record.definition.symbols.contains(symbol) {
            do {
                try await evaluate(record)
            } catch let error as QuantError {
                // A strategy that cannot run on these bars (too few of them, …) waits for more; others go on.
                logger.warning("live strategy not evaluated", metadata: ["strategy": .string(record.id), "error": .string(error.description)])
            }
        }
    }

    /// Replays `record` to its latest bar; stores the account and publishes the signals that are new.
    @discardableResult
    func evaluate(_ record: StrategyRecord) async throws -> [SignalView] {
        guard let since = record.liveSince.flatMap(LocalDate.init) else { return [] }
        let settings = record.paper ?? RunSettings()
        let series = try await bars.bars(record.definition.symbols, from: since.adding(days: -Self.warmUpDays), to: nil)
        guard series.allSatisfy({ $0.bars.count > 0 }) else { return [] }
        let market = try MarketBars(series.map { (symbol: $0.symbol, bars: $0.bars) })
        let definition = record.definition
        let replay = try await BlockingIO.run {
            try StrategyFactory.replay(definition, on: market, settings: settings, from: since.description)
        }
        let account = Self.account(record, replay, market: market, since: since.description, capital: settings.capital ?? StrategyFactory.defaultCapital)
        let placed = replay.placed.map { p in
            SignalView(strategyID: record.id, owner: record.owner, symbol: p.symbol, barDate: p.date, action: p.side.rawValue, quantity: p.quantity,
                       price: p.close, createdAt: Date())
        }
        let fresh = try await signals.record(account, signals: placed)
        if !fresh.isEmpty {
            logger.info("signals published", metadata: ["strategy": .string(record.id), "count": .stringConvertible(fresh.count)])
        }
        return fresh
    }

    static func account(_ record: StrategyRecord, _ replay: StrategyFactory.Replay, market: MarketBars, since: String, capital: Double) -> PaperAccount {
        let r = replay.result
        guard let last = r.dates.indices.last else { return .empty(strategyID: record.id, capital: capital) }
        var held: [String: Double] = [:]
        for f in r.fills { held[f.symbol, default: 0] += f.side.sign * f.quantity }
        let closes = replay.lastCloses
        let positions = held.filter { abs($0.value) > 1e-12 }.sorted { $0.key < $1.key }.map { symbol, quantity in
            PaperAccount.Position(symbol: symbol, quantity: quantity, close: closes[symbol] ?? 0, value: quantity * (closes[symbol] ?? 0))
        }
        let first = r.dates.firstIndex { $0 >= since } ?? last
        let series = (first...last).map { PaperAccount.Point(date: r.dates[$0], equity: r.equity[$0]) }
        let orders = replay.working.map { PaperAccount.WorkingOrder(symbol: $0.symbol, side: $0.side.rawValue, type: $0.type, placed: $0.date) }
        let startEquity = series.first.map { _ in capital } ?? capital
        let statistics: JSONValue = .object([
            "total_return": .number(r.equity[last] / startEquity - 1),
            "trades": .number(Double(r.trades.filter { $0.entryDate >= since }.count)),
            "fills": .number(Double(r.fillCount)),
            "refusals": .number(Double(r.refusals.count)),
        ])
        return PaperAccount(strategyID: record.id, asOf: r.dates[last], capital: capital, cash: r.cash[last], equity: r.equity[last],
                            positions: positions, orders: orders, fills: r.fills.map(FillView.init), equitySeries: series, statistics: statistics)
    }
}
