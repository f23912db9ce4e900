import Foundation
import Logging
import Quant
import QuantExpression
import ServiceKit

/// Evaluates a symbol's active alerts when `data.bars.stored` names it: the source and any series operands are
/// expressions computed over the symbol's whole history (so every value is computed the same way each time, which
/// the evaluator's recognition of corrected bars relies on), then Quant's `AlertEvaluator` looks at the bars after
/// the alert's last evaluated bar. The new state, the inbox entries and the `alerts.triggered` events are one
/// transaction, so a redelivered event evaluates nothing again and notifies nobody twice.
struct AlertEvaluation: Sendable {
    let store: AlertStore
    let peers: PeerClient
    let logger: Logger

    /// Compiles a number expression over the bar series.
    static func compile(_ source: String) throws(ExpressionError) -> CompiledExpression {
        try CompiledExpression(try Expression.parse(source), schema: ExpressionSchema(), expecting: .number)
    }

    /// The values of a number expression on every bar.
    static func column(_ source: String, _ bars: OHLCV) throws -> [Double] {
        let prepared = try PreparedExpression(try compile(source), input: ExpressionInput(bars: bars))
        return prepared.numberColumn ?? (0..<bars.count).map { prepared.number(at: $0) }
    }

    /// The condition's operands as columns: nil for a constant, the expression's values for a series.
    static func operands(_ condition: AlertCondition, _ bars: OHLCV) throws -> (y: [Double]?, yUpper: [Double]?) {
        (try condition.ySeries.map { try column($0, bars) }, try condition.yUpperSeries.map { try column($0, bars) })
    }

    func barsStored(symbol: String) async throws {
        let alerts = try await store.active(symbol: symbol)
        guard !alerts.isEmpty else { return }
        let fetched = try await peers.dailyBars(symbol)
        guard fetched.bars.count > 0 else { return }
        for alert in alerts {
            do {
                try await evaluate(alert, fetched.bars)
            } catch {
                logger.warning("alert not evaluated", metadata: ["alert": .string(alert.id), "error": .string("\(error)")])
            }
        }
    }

    /// Evaluates one alert on the bars; answers the triggers it stored.
    @discardableResult
    func evaluate(_ alert: AlertRecord, _ bars: OHLCV, now: Double = Date().timeIntervalSince1970) async throws -> [AlertTrigger] {
        let x = try Self.column(alert.source, bars)
        let (y, yUpper) = try Self.operands(alert.rule.condition, bars)
        let (triggers, state) = try AlertEvaluator.evaluate(alert.rule, x: x, y: y, yUpper: yUpper, dates: bars.dates, state: alert.state, now: now)
        guard state != alert.state else { return [] }
        return try await store.record(alert, before: alert.state, after: state, triggers: triggers) ? triggers : []
    }
}
