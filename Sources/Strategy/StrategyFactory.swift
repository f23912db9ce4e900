import Foundation
import Quant
import QuantExpression
import ServiceKit

/// Turns stored definitions and settings into the engine's strategies and settings, and says what is wrong with
/// them (every problem named by its JSON pointer).
enum StrategyFactory {
    static let defaultCapital = 100_000.0

    /// A built-in as `GET /builtins` lists it.
    struct BuiltinView: Encodable, Sendable {
        struct Parameter: Encodable, Sendable {
            var name: String
            var `default`: Double
            var minimum: Double
            var maximum: Double
            var integer: Bool
            var summary: String
        }
        var name: String
        var summary: String
        var parameters: [Parameter]
    }

    static let catalogue: [BuiltinView] = BuiltInStrategies.catalogue.map { d in
        BuiltinView(name: d.name, summary: d.summary, parameters: d.parameters.map {
            .init(name: $0.name, default: $0.defaultValue, minimum: $0.minimum, maximum: $0.maximum, integer: $0.integer, summary: $0.summary)
        })
    }

    // MARK: validation

    /// Problems of a definition: an unknown built-in or parameter, a value out of range, rules that do not
    /// compile (the message names line and column), weights of symbols not traded.
    static func problems(_ definition: StrategyDefinition) -> [FieldError] {
        var errors: [FieldError] = []
        switch definition.type {
        case .builtin:
            guard let name = definition.builtin else { return [FieldError(field: "/builtin", reason: "is required for type builtin")] }
            guard BuiltInStrategies.catalogue.contains(where: { $0.name == name }) else {
                return [FieldError(field: "/builtin", reason: "unknown built-in '\(name)'; known: \(BuiltInStrategies.catalogue.map(\.name).joined(separator: ", "))")]
            }
            do {
                _ = try BuiltInStrategies.make(name, parameters: definition.parameters ?? [:], weights: weights(definition))
            } catch {
                errors.append(FieldError(field: "/parameters", reason: error.description))
            }
        case .rules:
            guard let rules = definition.rules else { return [FieldError(field: "/rules", reason: "is required for type rules")] }
            if let size = rules.size, !(size > 0 && size <= 1) { errors.append(FieldError(field: "/rules/size", reason: "must lie in (0, 1]")) }
            for (name, value) in [("stop_loss", rules.stopLoss), ("take_profit", rules.takeProfit)] {
                if let value, !(value > 0 && value < 1) { errors.append(FieldError(field: "/rules/\(name)", reason: "must lie strictly between 0 and 1")) }
            }
            for (name, source) in [("entry", Optional(rules.entry)), ("exit", rules.exit)] {
                guard let source else { continue }
                do {
                    _ = try CompiledExpression(try Expression.parse(source), schema: RuleStrategy.schema, expecting: .boolean)
                } catch {
                    errors.append(FieldError(field: "/rules/\(name)", reason: error.description))
                }
            }
        }
        if let weights = definition.weights {
            for key in weights.keys.sorted() where !definition.symbols.contains(key.uppercased()) {
                errors.append(FieldError(field: "/weights/\(key)", reason: "\(key) is not one of the strategy's symbols"))
            }
            let total = weights.values.reduce(0, +)
            if total > 1 + 1e-9 { errors.append(FieldError(field: "/weights", reason: "weights sum to \(total); at most 1")) }
        }
        return errors
    }

    /// Problems of run settings (`pointer` prefixes each field).
    static func problems(_ s: RunSettings, pointer p: String, needsRange: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if let from = s.from, let to = s.to, from > to { errors.append(FieldError(field: "\(p)/to", reason: "is before from (\(from))")) }
        if let capital = s.capital, !(capital > 0 && capital <= 1e12) { errors.append(FieldError(field: "\(p)/capital", reason: "must lie in (0, 1e12]")) }
        if let r = s.riskFree, !(r > -0.01 && r < 0.01) { errors.append(FieldError(field: "\(p)/risk_free", reason: "is a per-period return in (-0.01, 0.01)")) }
        if let b = s.benchmark { errors += SymbolRules.problems([b.uppercased()], pointer: "\(p)/benchmark", required: true) }
        if let f = s.fees {
            if let preset = f.preset, preset != "interactive-brokers-us" {
                errors.append(FieldError(field: "\(p)/fees/preset", reason: "unknown preset '\(preset)'; known: interactive-brokers-us"))
            }
            let ranges: [(String, Double?, ClosedRange<Double>)] = [
                ("percent", f.percent, 0...0.2), ("per_share", f.perShare, 0...100), ("minimum", f.minimum, 0...1e6),
                ("maximum_percent", f.maximumPercent, 0...1), ("fixed", f.fixed, 0...1e6),
            ]
            for (name, value, range) in ranges {
                if let value, !range.contains(value) { errors.append(FieldError(field: "\(p)/fees/\(name)", reason: "must lie in \(range)")) }
            }
            if f.perShare == nil, f.minimum != nil || f.maximumPercent != nil {
                errors.append(FieldError(field: "\(p)/fees/per_share", reason: "minimum and maximum_percent apply to a per_share fee, which is missing"))
            }
        }
        if let sl = s.slippage {
            switch sl.model {
            case .none: break
            case .percent:
                if !(sl.value.map { $0 >= 0 && $0 <= 0.2 } ?? false) { errors.append(FieldError(field: "\(p)/slippage/value", reason: "percent slippage needs a value in [0, 0.2]")) }
            case .fixed:
                if !(sl.value.map { $0 >= 0 && $0 <= 1e4 } ?? false) { errors.append(FieldError(field: "\(p)/slippage/value", reason: "fixed slippage needs an amount per share in [0, 10000]")) }
            case .volumeShare:
                if let v = sl.priceImpact, !(v >= 0 && v <= 10) { errors.append(FieldError(field: "\(p)/slippage/price_impact", reason: "must lie in [0, 10]")) }
                if let v = sl.volumeLimit, !(v > 0 && v <= 1) { errors.append(FieldError(field: "\(p)/slippage/volume_limit", reason: "must lie in (0, 1]")) }
            }
        }
        if let cap = s.fill?.volumeCap, !(cap > 0 && cap <= 1) { errors.append(FieldError(field: "\(p)/fill/volume_cap", reason: "must lie in (0, 1]")) }
        return errors
    }

    // MARK: conversion

    /// Weights in the order of the symbols (a symbol not named weighs 0); nil for the built-ins' equal weights.
    static func weights(_ definition: StrategyDefinition) -> [Double]? {
        guard let weights = definition.weights else { return nil }
        let upper = Dictionary(weights.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        return definition.symbols.map { upper[$0] ?? 0 }
    }

    static func fees(_ f: FeesInput?) -> FeeModel {
        guard let f else { return .none }
        var parts: [FeeModel] = []
        if f.preset == "interactive-brokers-us" { parts.append(.interactiveBrokersUS) }
        if let x = f.percent, x > 0 { parts.append(.percent(x)) }
        if let x = f.perShare, x > 0 { parts.append(.perShare(rate: x, minimum: f.minimum ?? 0, maximumPercent: f.maximumPercent)) }
        if let x = f.fixed, x > 0 { parts.append(.fixed(x)) }
        switch parts.count {
        case 0: return .none
        case 1: return parts[0]
        default: return .combined(parts)
        }
    }

    static func slippage(_ s: SlippageInput?) -> SlippageModel {
        guard let s else { return .none }
        switch s.model {
        case .none: return .none
        case .percent: return .percent(s.value ?? 0)
        case .fixed: return .fixed(s.value ?? 0)
        case .volumeShare: return .volumeShare(priceImpact: s.priceImpact ?? 0.1, volumeLimit: s.volumeLimit ?? 0.025)
        }
    }

    static func settings(_ s: RunSettings) -> BacktestSettings {
        var out = BacktestSettings()
        out.initialCash = s.capital ?? defaultCapital
        out.fees = fees(s.fees)
        out.slippage = slippage(s.slippage)
        out.volumeCap = s.fill?.volumeCap
        out.fractionalShares = s.fill?.fractional ?? true
        out.allowShort = s.fill?.allowShort ?? true
        out.liquidateAtEnd = s.fill?.liquidateAtEnd ?? false
        out.riskFree = s.riskFree ?? 0
        return out
    }

    // MARK: running

    /// Runs `definition` on `bars`.
    static func run(_ definition: StrategyDefinition, on bars: MarketBars, settings: RunSettings, benchmark: [Double]?) throws -> BacktestResult {
        var probe = NoOrderLog()
        return try run(definition, on: bars, settings: settings, benchmark: benchmark, log: &probe).result
    }

    /// A live strategy's replay: the run, the orders it placed on bars from `from` on, the working orders at the end
    /// and each symbol's last close.
    struct Replay: Sendable {
        var result: BacktestResult
        var placed: [PlacedOrder]
        var working: [PlacedOrder]
        var lastCloses: [String: Double]
    }

    static func replay(_ definition: StrategyDefinition, on bars: MarketBars, settings: RunSettings, from: String) throws -> Replay {
        var log = OrderLog(from: from)
        let (result, working) = try run(definition, on: bars, settings: settings, benchmark: nil, log: &log)
        var closes: [String: Double] = [:]
        let n = bars.dateCount
        for (s, symbol) in bars.symbols.enumerated() where n > 0 { closes[symbol] = bars.close[s * n + n - 1] }
        return Replay(result: result, placed: log.placed, working: working, lastCloses: closes)
    }

    private static func run<L: OrderRecorder>(_ definition: StrategyDefinition, on bars: MarketBars, settings: RunSettings, benchmark: [Double]?,
                                              log: inout L) throws -> (result: BacktestResult, working: [PlacedOrder]) {
        let engine = Self.settings(settings)
        switch definition.type {
        case .builtin:
            let inner = try BuiltInStrategies.make(definition.builtin ?? "", parameters: definition.parameters ?? [:], weights: weights(definition))
            var strategy = Recorded(inner: inner, log: log)
            let result = try Backtest.run(&strategy, on: bars, settings: engine, benchmark: benchmark)
            log = strategy.log
            return (result, strategy.working)
        case .rules:
            guard let rules = definition.rules else { throw RunFailure("a rules strategy needs rules") }
            var strategy = Recorded(inner: try RuleStrategy(rules), log: log)
            let result = try Backtest.run(&strategy, on: bars, settings: engine, benchmark: benchmark)
            log = strategy.log
            return (result, strategy.working)
        }
    }
}

/// An order as a strategy placed it, with the quantity it implied at that bar's close.
struct PlacedOrder: Sendable, Equatable {
    var date: String
    var symbol: String
    var side: Side
    var quantity: Double
    var close: Double
    var type: String
}

/// Records the orders a strategy places (for signals), or nothing (backtests: ``NoOrderLog`` costs nothing).
protocol OrderRecorder {
    mutating func record(_ placed: PlacedOrder)
    var enabled: Bool { get }
    /// The first date on which orders may stand.
    var from: String { get }
}

struct NoOrderLog: OrderRecorder {
    mutating func record(_ placed: PlacedOrder) {}
    var enabled: Bool { false }
    var from: String { "" }
}

struct OrderLog: OrderRecorder {
    let from: String
    var placed: [PlacedOrder] = []
    mutating func record(_ placed: PlacedOrder) { self.placed.append(placed) }
    var enabled: Bool { true }
}

/// Wraps a strategy to record the orders it places (and, while recording, to trade only from `log.from` on:
/// orders placed on earlier bars — the warm-up of a live strategy — are cancelled at once).
struct Recorded<Inner: TradingStrategy, Log: OrderRecorder>: TradingStrategy {
    var inner: Inner
    var log: Log
    var working: [PlacedOrder] = []

    init(inner: Inner, log: Log) {
        self.inner = inner
        self.log = log
    }

    mutating func prepare(_ bars: MarketBars) throws(QuantError) { try inner.prepare(bars) }

    mutating func beforeClose(_ context: inout StrategyContext) {
        guard log.enabled else { return inner.beforeClose(&context) }
        let before = Set(context.openOrders.map(\.id))
        inner.beforeClose(&context)
        settle(&context, before: before)
    }

    mutating func onBar(_ context: inout StrategyContext) {
        guard log.enabled else { return inner.onBar(&context) }
        let before = Set(context.openOrders.map(\.id))
        inner.onBar(&context)
        settle(&context, before: before)
    }

    /// Records (or, before `log.from`, cancels) the orders placed since `before`, and notes the working ones.
    private mutating func settle(_ context: inout StrategyContext, before: Set<OrderID>) {
        let fresh = context.openOrders.filter { !before.contains($0.id) && $0.parent == nil }
        if context.date < log.from {
            for o in fresh { context.cancel(o.id) }
        } else {
            for o in fresh { log.record(Self.placed(o, context)) }
        }
        working = context.openOrders.map { Self.placed($0, context) }
    }

    /// The order's quantity at the bar's close: shares as given; a budget or target resolved against equity.
    static func placed(_ o: OpenOrder, _ context: StrategyContext) -> PlacedOrder {
        let s = o.order.symbol
        let close = context.close(s) ?? context.open(s) ?? 0
        let held = context.position(s)
        let quantity: Double
        switch o.order.size {
        case .shares(let x): quantity = x
        case .value(let v): quantity = close > 0 ? v / close : 0
        case .percentOfEquity(let f): quantity = close > 0 ? f * context.equity / close : 0
        case .targetPercent(let f): quantity = close > 0 ? abs(f * context.equity / close - held) : 0
        case .targetValue(let v): quantity = close > 0 ? abs(v / close - held) : 0
        }
        let side: Side
        switch o.order.size {
        case .targetPercent(let f): side = f * context.equity / max(close, .leastNonzeroMagnitude) >= held ? .buy : .sell
        case .targetValue(let v): side = v / max(close, .leastNonzeroMagnitude) >= held ? .buy : .sell
        default: side = o.order.side
        }
        return .init(date: context.date, symbol: context.symbols[s], side: side, quantity: quantity, close: close, type: o.order.typeName)
    }
}
