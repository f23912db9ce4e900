import Foundation
import Quant
import QuantExpression
import ServiceKit

/// Parameter searches over a built-in strategy: the grid (or a seeded random sample of it) under a constraint,
/// ranked by an objective, with the deflated Sharpe ratio of the best and the probability of backtest overfitting
/// (CSCV, 16 blocks); and walk-forward analysis.
///
/// Walk-forward: each combination runs once over the whole range, so its positions and indicators are those of a
/// strategy that has been trading all along. A window's in-sample score of a combination is the objective computed
/// on that combination's daily returns inside the window; the best combination's returns in the following
/// out-of-sample window are appended to the stitched out-of-sample curve. Only return-based objectives can score
/// a window (trade statistics need whole trades).
enum Optimizer {
    static let maximumCombinations = 5_000

    /// Objectives by name (the statistics' names in answers); all are maximised as given, so for `max_drawdown`
    /// (≤ 0) the shallowest wins and for `annual_volatility` the lowest is chosen by its negation `-volatility`.
    static let objectives: [String: @Sendable (BacktestStatistics) -> Double?] = [
        "sharpe": { $0.sharpe }, "sortino": { $0.sortino }, "calmar": { $0.calmar }, "omega": { $0.omega },
        "total_return": { $0.totalReturn }, "annual_return": { $0.annualReturn }, "max_drawdown": { $0.maxDrawdown },
        "probabilistic_sharpe": { $0.probabilisticSharpe }, "win_rate": { $0.winRate }, "profit_factor": { $0.profitFactor },
        "expectancy": { $0.expectancy }, "sqn": { $0.sqn }, "kelly": { $0.kelly }, "equity_final": { $0.equityFinal },
        "-volatility": { $0.annualVolatility.map { -$0 } },
    ]

    /// Objectives a walk-forward window can compute from a slice of daily returns.
    static let returnObjectives: [String: @Sendable ([Double]) -> Double?] = [
        "sharpe": { try? Metrics.sharpeRatio($0) ?? nil },
        "sortino": { try? Metrics.sortinoRatio($0) ?? nil },
        "calmar": { try? Metrics.calmarRatio($0) ?? nil },
        "total_return": { try? Metrics.cumulativeReturn($0) },
        "annual_return": { try? Metrics.annualReturn($0) },
        "max_drawdown": { (try? Metrics.maxDrawdown($0))?.depth },
        "probabilistic_sharpe": { SharpeInference.probabilisticSharpeRatio(returns: $0) },
        "-volatility": { (try? Metrics.annualVolatility($0) ?? nil).map { -$0 } },
    ]

    /// Checks the request and expands the grid; every problem named by its JSON pointer.
    static func resolve(_ input: OptimizationInput, definition: StrategyDefinition, settings: RunSettings) throws -> OptimizationJob {
        var errors: [FieldError] = []
        guard definition.type == .builtin, let name = definition.builtin,
              let descriptor = BuiltInStrategies.catalogue.first(where: { $0.name == name }) else {
            throw Problem.validation("Only built-in strategies can be optimised.", errors: [FieldError(field: "/strategy", reason: "must be a built-in strategy")])
        }
        var grid: [String: [Double]] = [:]
        for key in input.grid.keys.sorted() {
            let range = input.grid[key]!
            guard let parameter = descriptor.parameters.first(where: { $0.name == key }) else {
                errors.append(FieldError(field: "/grid/\(key)", reason: "\(name) has no parameter \(key); its parameters: \(descriptor.parameters.map(\.name).joined(separator: ", "))"))
                continue
            }
            var values: [Double] = []
            if let list = range.values {
                values = list
            } else if let start = range.start, let stop = range.stop, let step = range.step, step > 0, stop >= start {
                let count = Int(((stop - start) / step + 1e-9).rounded(.down)) + 1
                guard count <= 1000 else {
                    errors.append(FieldError(field: "/grid/\(key)", reason: "start/stop/step gives \(count) values; at most 1000"))
                    continue
                }
                values = (0..<count).map { start + Double($0) * step }
            } else {
                errors.append(FieldError(field: "/grid/\(key)", reason: "needs values, or start, stop ≥ start and step > 0"))
                continue
            }
            if values.isEmpty || values.count > 1000 { errors.append(FieldError(field: "/grid/\(key)", reason: "needs 1 to 1000 values")) }
            for v in values where !(v >= parameter.minimum && v <= parameter.maximum) || (parameter.integer && v.rounded() != v) {
                errors.append(FieldError(field: "/grid/\(key)", reason: "\(v) is outside [\(parameter.minimum), \(parameter.maximum)]\(parameter.integer ? " or not whole" : "")"))
                break
            }
            grid[key] = Array(Set(values)).sorted()
        }
        if input.grid.isEmpty { errors.append(FieldError(field: "/grid", reason: "needs at least one parameter")) }
        let objective = input.objective ?? "sharpe"
        if objectives[objective] == nil {
            errors.append(FieldError(field: "/objective", reason: "unknown statistic '\(objective)'; one of \(objectives.keys.sorted().joined(separator: ", "))"))
        }
        if let wf = input.walkForward {
            if returnObjectives[objective] == nil {
                errors.append(FieldError(field: "/objective", reason: "walk-forward windows need a return-based objective: \(returnObjectives.keys.sorted().joined(separator: ", "))"))
            }
            if wf.inSample < 20 { errors.append(FieldError(field: "/walk_forward/in_sample", reason: "must be at least 20 bars")) }
            if wf.outOfSample < 1 { errors.append(FieldError(field: "/walk_forward/out_of_sample", reason: "must be at least 1 bar")) }
            if let step = wf.step, step < wf.outOfSample {
                errors.append(FieldError(field: "/walk_forward/step", reason: "must be at least out_of_sample (\(wf.outOfSample)) so out-of-sample windows do not overlap"))
            }
        }
        let order = grid.keys.sorted()
        if let constraint = input.constraint {
            do {
                _ = try Constraint(constraint, parameters: order)
            } catch {
                errors.append(FieldError(field: "/constraint", reason: error.description))
            }
        }
        if let sample = input.sample, sample < 1 { errors.append(FieldError(field: "/sample", reason: "must be at least 1")) }
        guard errors.isEmpty else { throw Problem.validation("The optimisation is invalid.", errors: errors) }
        let job = OptimizationJob(definition: definition, grid: grid, order: order, constraint: input.constraint, objective: objective,
                                  sample: input.sample, seed: input.seed ?? 42, walkForward: input.walkForward, settings: settings)
        let count: Int
        do {
            count = try combinations(job).count
        } catch let error as QuantError {
            throw Problem.validation("The optimisation is invalid.", errors: [FieldError(field: "/grid", reason: error.description)])
        }
        if count == 0 { throw Problem.validation("The optimisation is invalid.", errors: [FieldError(field: "/constraint", reason: "no combination of the grid satisfies it")]) }
        if count > maximumCombinations {
            throw Problem.validation("The optimisation is invalid.", errors: [FieldError(field: "/grid", reason: "\(count) combinations; at most \(maximumCombinations) (use sample)")])
        }
        return job
    }

    /// A constraint over the parameters: an expression whose state variables are the parameters.
    struct Constraint {
        let prepared: PreparedExpression

        init(_ source: String, parameters: [String]) throws(ExpressionError) {
            let compiled = try CompiledExpression(try Expression.parse(source), schema: ExpressionSchema(state: parameters), expecting: .boolean)
            // The constraint uses no bar: one placeholder bar satisfies the evaluator's input.
            let bar: OHLCV
            do { bar = try OHLCV(dates: ["1970-01-01"], open: [1], high: [1], low: [1], close: [1], volume: [0]) } catch { preconditionFailure("a valid bar") }
            prepared = try PreparedExpression(compiled, input: ExpressionInput(bars: bar))
        }

        func allows(_ values: [Double]) -> Bool { prepared.bool(at: 0, state: values) }
    }

    /// The combinations to evaluate, in the grid's order (lexicographic by parameter name), filtered by the
    /// constraint, then sampled without replacement (seeded) when `sample` is smaller (`ParameterGrid`).
    static func combinations(_ job: OptimizationJob) throws -> [[Double]] {
        let ranges = try job.order.map { name throws(QuantError) in try ParameterRange.reals(name, job.grid[name] ?? []) }
        let constraint = try job.constraint.map { try Constraint($0, parameters: job.order) }
        let grid = try ParameterGrid(ranges: ranges, limit: ParameterGrid.defaultLimit, where: constraint.map { c in { c.allows($0.values) } })
        if let sample = job.sample, sample < grid.count { return try grid.sample(count: sample, seed: job.seed).map(\.values) }
        return grid.combinations.map(\.values)
    }

    /// One evaluated combination.
    struct Evaluation: Sendable {
        var values: [Double]
        var objective: Double?
        var statistics: BacktestStatistics
        /// Daily simple returns of its equity (the first from the starting capital).
        var returns: [Double]
    }

    static func evaluate(_ job: OptimizationJob, _ combinations: [[Double]], on bars: MarketBars, benchmark: [Double]?) throws -> [Evaluation] {
        let score = objectives[job.objective] ?? { $0.sharpe }
        return try combinations.map { values in
            var definition = job.definition
            var parameters = definition.parameters ?? [:]
            for (name, value) in zip(job.order, values) { parameters[name] = value }
            definition.parameters = parameters
            let result = try StrategyFactory.run(definition, on: bars, settings: job.settings, benchmark: benchmark)
            var previous = job.settings.capital ?? StrategyFactory.defaultCapital
            let returns = result.equity.map { e in
                defer { previous = e }
                return previous > 0 ? e / previous - 1 : 0
            }
            return Evaluation(values: values, objective: score(result.statistics), statistics: result.statistics, returns: returns)
        }
    }

    /// The summary (best, DSR, PBO, walk-forward) and the stored parts (the table, the stitched equity).
    static func summarise(_ job: OptimizationJob, _ evaluations: [Evaluation], on bars: MarketBars) throws -> (summary: String, parts: [String: String]) {
        func parameters(_ values: [Double]) -> [String: Double] { Dictionary(uniqueKeysWithValues: zip(job.order, values)) }
        let ranked = evaluations.enumerated().sorted { a, b in
            switch (a.element.objective, b.element.objective) {
            case let (x?, y?): return x != y ? x > y : a.offset < b.offset
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
        var summary: [String: JSONValue] = [
            "objective": .string(job.objective), "evaluated": .number(Double(evaluations.count)),
        ]
        if let best = ranked.first {
            summary["best"] = .object([
                "parameters": .object(parameters(best.values).mapValues(JSONValue.number)),
                "objective": best.objective.map(JSONValue.number) ?? .null,
                "statistics": try StatisticsView.json(best.statistics),
            ])
            let trialSharpes = evaluations.compactMap { e -> Double? in
                guard let sharpe = try? Metrics.sharpeRatio(e.returns, periodsPerYear: 1) else { return nil }
                return sharpe
            }
            summary["deflated_sharpe"] = SharpeInference.deflatedSharpeRatio(returns: best.returns, trialSharpes: trialSharpes).map(JSONValue.number) ?? .null
            summary["trials"] = .number(Double(trialSharpes.count))
        }
        summary["pbo"] = Self.pbo(evaluations)
        var parts: [String: String] = [:]
        let table: [JSONValue] = try ranked.map { e in
            .object([
                "parameters": .object(parameters(e.values).mapValues(JSONValue.number)),
                "objective": e.objective.map(JSONValue.number) ?? .null,
                "statistics": .object([
                    "total_return": .number(e.statistics.totalReturn), "sharpe": e.statistics.sharpe.map(JSONValue.number) ?? .null,
                    "max_drawdown": .number(e.statistics.maxDrawdown), "trades": .number(Double(e.statistics.tradeCount)),
                    "win_rate": e.statistics.winRate.map(JSONValue.number) ?? .null,
                ]),
            ])
        }
        parts["results"] = try StoredJSON.text(JSONValue.object([
            "objective": .string(job.objective), "parameters": .array(job.order.map(JSONValue.string)), "items": .array(table),
        ]))
        if let wf = job.walkForward {
            let (walk, equity) = try walkForward(job, wf, evaluations, dates: bars.dates)
            summary["walk_forward"] = walk
            parts["equity"] = try StoredJSON.text(equity)
        }
        return (try StoredJSON.text(JSONValue.object(summary)), parts)
    }

    /// PBO by CSCV with 16 blocks over the combinations' daily returns (rows = days); null with a reason when it
    /// cannot be computed (fewer than 2 combinations or 32 days).
    static func pbo(_ evaluations: [Evaluation]) -> JSONValue {
        guard evaluations.count >= 2, let days = evaluations.first?.returns.count, days >= 32 else {
            return .object(["probability": .null, "reason": .string("needs at least 2 combinations and 32 bars")])
        }
        let matrix = (0..<days).map { t in evaluations.map { $0.returns[t] } }
        do {
            let a = try Overfitting.probabilityOfBacktestOverfitting(returns: matrix, blocks: 16)
            return .object([
                "probability": .number(a.probabilityOfOverfitting), "blocks": .number(Double(a.blocks)),
                "splits": .number(Double(a.logits.count)), "logit_mean": .number(a.logitSummary.mean),
                "logit_median": .number(a.logitSummary.median), "probability_of_loss": .number(a.probabilityOfLoss),
                "degradation_slope": a.degradation.map { .number($0.slope) } ?? .null,
            ])
        } catch {
            return .object(["probability": .null, "reason": .string(error.description)])
        }
    }

    /// Walk-forward windows, the parameters chosen in each and the stitched out-of-sample equity.
    static func walkForward(_ job: OptimizationJob, _ wf: WalkForwardInput, _ evaluations: [Evaluation], dates: [String]) throws -> (JSONValue, EquityView) {
        let windows = try WalkForward.windows(count: dates.count, inSample: wf.inSample, outOfSample: wf.outOfSample, step: wf.step,
                                              anchored: wf.anchored ?? false)
        let score = returnObjectives[job.objective] ?? { try? Metrics.sharpeRatio($0) ?? nil }
        var segments: [[Double]] = []
        var stitchedDates: [String] = []
        var rows: [JSONValue] = []
        for w in windows {
            var best: (index: Int, score: Double)?
            for (i, e) in evaluations.enumerated() {
                guard let s = score(Array(e.returns[w.inSample])), s.isFinite else { continue }
                if best == nil || s > best!.score { best = (i, s) }
            }
            guard let chosen = best else { continue }
            let oos = Array(evaluations[chosen.index].returns[w.outOfSample])
            segments.append(oos)
            stitchedDates += dates[w.outOfSample]
            rows.append(.object([
                "in_sample": .array([.string(dates[w.inSample.lowerBound]), .string(dates[w.inSample.upperBound - 1])]),
                "out_of_sample": .array([.string(dates[w.outOfSample.lowerBound]), .string(dates[w.outOfSample.upperBound - 1])]),
                "parameters": .object(Dictionary(uniqueKeysWithValues: zip(job.order, evaluations[chosen.index].values)).mapValues(JSONValue.number)),
                "in_sample_objective": .number(chosen.score),
                "out_of_sample_return": .number((try? Metrics.cumulativeReturn(oos)) ?? 0),
            ]))
        }
        let stitched = segments.flatMap { $0 }
        // equity[0] is the capital before the first out-of-sample day; equity[i + 1] is the close of stitchedDates[i].
        let equity = try WalkForward.stitch(segments, initialCapital: job.settings.capital ?? StrategyFactory.defaultCapital)
        let points = stitchedDates.indices.map { EquityView.Point(date: stitchedDates[$0], equity: equity[$0 + 1], cash: nil, exposure: nil) }
        var out: [String: JSONValue] = ["windows": .array(rows), "anchored": .bool(wf.anchored ?? false)]
        if !stitched.isEmpty, let report = try? PerformanceReport(returns: stitched) {
            out["out_of_sample"] = .object([
                "total_return": .number(report.cumulativeReturn), "annual_return": .number(report.annualReturn),
                "sharpe": report.sharpe.map(JSONValue.number) ?? .null, "max_drawdown": .number(report.maxDrawdown.depth),
                "bars": .number(Double(stitched.count)),
            ])
        }
        return (.object(out), EquityView(items: points))
    }
}

/// A run's statistics as answered: the engine's statistics with snake_case names; undefined values are null.
enum StatisticsView {
    static func json(_ s: BacktestStatistics) throws -> JSONValue {
        let encoder = ServiceJSON.encoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try ServiceJSON.decoder().decode(JSONValue.self, from: try encoder.encode(s))
    }
}
