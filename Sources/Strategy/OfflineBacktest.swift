import Foundation
import Quant
import ServiceKit

/// The engine as `bourse backtest` runs it, without a server: the same definitions, validation, settings and
/// statistics as `POST /api/v1/strategy/backtests`, on price files instead of the data service.
public struct OfflineBacktest: Sendable {
    let definition: StrategyDefinition
    let settings: RunSettings

    /// A built-in (`builtin`, with `parameters`) or rules (`entry`, optional `exit`, `side` long or short).
    ///
    /// - Throws: ``OfflineBacktest/Invalid`` listing every problem, each named like the API's field errors.
    public init(builtin: String?, parameters: [String: Double], entry: String?, exit: String?, side: String?, symbols: [String],
                capital: Double?, feesPercent: Double?, slippagePercent: Double?, allowShort: Bool, liquidateAtEnd: Bool) throws {
        var errors: [String] = []
        let definition: StrategyDefinition
        if let entry {
            let sideValue = side.map { StrategyDefinition.Side(rawValue: $0) } ?? .long
            if sideValue == nil { errors.append("--side: must be long or short") }
            let rules = StrategyDefinition.Rules(entry: entry, exit: exit, side: sideValue ?? .long)
            definition = StrategyDefinition(type: .rules, builtin: nil, parameters: nil, rules: rules, symbols: symbols, weights: nil)
        } else {
            definition = StrategyDefinition(type: .builtin, builtin: builtin ?? "sma-cross", parameters: parameters, rules: nil, symbols: symbols,
                                            weights: nil)
        }
        var settings = RunSettings(capital: capital)
        if let feesPercent { settings.fees = FeesInput(percent: feesPercent) }
        if let slippagePercent { settings.slippage = SlippageInput(model: .percent, value: slippagePercent) }
        settings.fill = FillInput(allowShort: allowShort, liquidateAtEnd: liquidateAtEnd)
        errors += (StrategyFactory.problems(definition) + StrategyFactory.problems(settings, pointer: "", needsRange: false))
            .map { "\($0.field.dropFirst()): \($0.reason)" }
        guard errors.isEmpty else { throw Invalid(problems: errors) }
        (self.definition, self.settings) = (definition, settings)
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    /// What a run printed: the statistics (snake_case names, as the API answers them) and its counts.
    public struct Report: Sendable {
        public let statistics: JSONValue
        public let fills: Int
        public let refusals: Int
        /// `date,equity,cash,exposure` lines.
        public let equityCSV: String
    }

    public func run(_ series: [(symbol: String, bars: OHLCV)]) throws -> Report {
        let market = try MarketBars(series)
        let result = try StrategyFactory.run(definition, on: market, settings: settings, benchmark: nil)
        var csv = "date,equity,cash,exposure\n"
        for i in result.dates.indices { csv += "\(result.dates[i]),\(result.equity[i]),\(result.cash[i]),\(result.exposure[i])\n" }
        return Report(statistics: try StatisticsView.json(result.statistics), fills: result.fillCount, refusals: result.refusals.count,
                      equityCSV: csv)
    }
}
