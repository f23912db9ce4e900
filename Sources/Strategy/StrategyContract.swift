import HTTPTypes
import Quant
import ServiceKit

/// The `strategy` service's operations, declared once (routes, access rules and the OpenAPI document derive from
/// them). Strategies and runs belong to the user who created them: another user's id answers 404 (admins may read).
enum StrategyContract {
    static let read = AccessPolicy.Requirement.scope(Scope.strategyRead)
    static let write = AccessPolicy.Requirement.scope(Scope.strategyWrite)
    static let run = AccessPolicy.Requirement.scope(Scope.strategyRun)
    static let root = "/api/v1/strategy"
    static let strategies = root + "/strategies"
    static let backtests = root + "/backtests"
    static let optimizations = root + "/optimizations"
    static let id = Endpoint.Parameter.path("id", .string, "The resource's id.")
    static let location = ["Location": "The run's URL."]
    static let paging: [Endpoint.Parameter] = [
        .query("limit", .integer(minimum: 1, maximum: 1000, default: 100)), .query("offset", .integer(minimum: 0, default: 0)),
    ]
    /// Runs read bars from `data` when they are created (symbols are checked there).
    static let upstream: [HTTPResponse.Status] = [.notFound, .badGateway, .serviceUnavailable, .gatewayTimeout]

    // MARK: strategies

    static let builtins = Endpoint(
        .get, root + "/builtins", access: read, summary: "The built-in strategies, their parameters, defaults and ranges.",
        responses: [.json(.ok, "The catalogue.", .object([.init("items", .array(.ref(BuiltinSchema.self)))], required: ["items"]))])

    static let list = Endpoint(
        .get, strategies, access: read, summary: "The caller's strategies, oldest first.",
        responses: [.json(.ok, "Strategies.", .object([.init("items", .array(.ref(StrategyView.self)))], required: ["items"]))])

    static let create = Endpoint(
        .post, strategies, access: write, summary: "Create a strategy: a built-in with parameters, or entry/exit rules.",
        description: """
            Rules are expressions (docs/expressions.md), checked when saved: an error names its line and column. \
            `live: true` evaluates the strategy on every new bar of its symbols, publishes strategy.signal.generated \
            once per strategy, symbol and bar, and trades a paper account with the `paper` settings.
            """,
        body: .json(.ref(StrategyInputSchema.self)),
        responses: [.json(.created, "Created; Location names it.", StrategyView.self, headers: ["Location": "The strategy's URL."])],
        problems: [.badGateway, .serviceUnavailable, .gatewayTimeout])

    static let get = Endpoint(
        .get, strategies + "/{id}", access: read, summary: "One strategy.", parameters: [id],
        responses: [.json(.ok, "The strategy.", StrategyView.self)], problems: [.notFound])

    static let update = Endpoint(
        .patch, strategies + "/{id}", access: write, summary: "Change fields of a strategy (going live or back resets its paper account).",
        parameters: [id], body: .json(.ref(StrategyInputSchema.self)),
        responses: [.json(.ok, "The strategy.", StrategyView.self)], problems: [.notFound, .badGateway, .serviceUnavailable, .gatewayTimeout])

    static let delete = Endpoint(
        .delete, strategies + "/{id}", access: write, summary: "Delete a strategy, its signals and paper account (its runs stay).",
        parameters: [id], responses: [.empty(.noContent, "Deleted.")], problems: [.notFound])

    static let signals = Endpoint(
        .get, strategies + "/{id}/signals", access: read, summary: "Signals of a live strategy, newest first.",
        parameters: [id] + paging,
        responses: [.json(.ok, "Signals.", .object([
            .init("items", .array(.ref(SignalSchema.self))), .init("total", .integer),
        ], required: ["items", "total"]))], problems: [.notFound])

    static let paper = Endpoint(
        .get, strategies + "/{id}/paper", access: read,
        summary: "The paper account of a live strategy: cash, equity, positions, working orders, fills and the equity series.",
        parameters: [id], responses: [.json(.ok, "The account.", .ref(PaperSchema.self))], problems: [.notFound])

    // MARK: backtests

    static let runBacktest = Endpoint(
        .post, backtests, access: run, summary: "Queue a backtest of a stored strategy (strategy_id) or an inline one.",
        description: """
            Bars come from the data service. The run stores the SHA-256 of its resolved definition (definition_hash) \
            and of the bars it used (data_hash); running the same definition on the same data gives identical numbers.
            """,
        body: .json(.ref(BacktestInputSchema.self)),
        responses: [.json(.accepted, "Queued; Location names the run.", .ref(RunSchema.self), headers: location)],
        problems: upstream)

    static let listBacktests = Endpoint(
        .get, backtests, access: read, summary: "The caller's backtests, newest first.", parameters: paging,
        responses: [.json(.ok, "Runs.", .object([.init("items", .array(.ref(RunSchema.self))), .init("total", .integer)],
                                               required: ["items", "total"]))])

    static let getBacktest = Endpoint(
        .get, backtests + "/{id}", access: read, summary: "A backtest: status, progress and, once done, its statistics.",
        parameters: [id], responses: [.json(.ok, "The run.", .ref(RunSchema.self))], problems: [.notFound])

    static let cancelBacktest = Endpoint(
        .post, backtests + "/{id}/cancel", access: run, summary: "Cancel a queued or running backtest.",
        parameters: [id], responses: [.json(.ok, "The run, cancelled.", .ref(RunSchema.self))], problems: [.notFound, .conflict])

    static let deleteBacktest = Endpoint(
        .delete, backtests + "/{id}", access: run, summary: "Delete a backtest and its results (cancelling it first when it runs).",
        parameters: [id], responses: [.empty(.noContent, "Deleted.")], problems: [.notFound])

    static let trades = Endpoint(
        .get, backtests + "/{id}/trades", access: read, summary: "Round-trip trades, FIFO matched, open ones last.",
        parameters: [id], responses: [.json(.ok, "Trades.", .object([.init("items", .array(.ref(TradeSchema.self)))], required: ["items"]))],
        problems: [.notFound, .conflict])

    static let fills = Endpoint(
        .get, backtests + "/{id}/fills", access: read, summary: "Every fill, and every order refused for want of cash or shares.",
        parameters: [id],
        responses: [.json(.ok, "Fills and refusals.", .object([
            .init("items", .array(.ref(FillSchema.self))), .init("refusals", .array(.ref(RefusalSchema.self))),
        ], required: ["items", "refusals"]))],
        problems: [.notFound, .conflict])

    static let equity = Endpoint(
        .get, backtests + "/{id}/equity", access: read, summary: "Equity, cash and exposure at each close; JSON, or CSV with Accept text/csv.",
        parameters: [id],
        responses: [Endpoint.Answer(.ok, "The series.", content: [
            .init(mediaType: "application/json", schema: .ref(EquitySchema.self)),
            .init(mediaType: "text/csv", schema: .string(description: "date,equity,cash,exposure")),
        ])],
        problems: [.notFound, .conflict])

    // MARK: optimisations

    static let runOptimization = Endpoint(
        .post, optimizations, access: run,
        summary: "Queue a grid (or random-sample) search, optionally walk-forward, with the deflated Sharpe ratio and PBO of its result.",
        body: .json(.ref(OptimizationInputSchema.self)),
        responses: [.json(.accepted, "Queued; Location names the run.", .ref(RunSchema.self), headers: location)],
        problems: upstream)

    static let listOptimizations = Endpoint(
        .get, optimizations, access: read, summary: "The caller's optimisations, newest first.", parameters: paging,
        responses: [.json(.ok, "Runs.", .object([.init("items", .array(.ref(RunSchema.self))), .init("total", .integer)],
                                               required: ["items", "total"]))])

    static let getOptimization = Endpoint(
        .get, optimizations + "/{id}", access: read,
        summary: "An optimisation: status, progress and, once done, the best parameters, DSR, PBO and the walk-forward summary.",
        parameters: [id], responses: [.json(.ok, "The run.", .ref(RunSchema.self))], problems: [.notFound])

    static let cancelOptimization = Endpoint(
        .post, optimizations + "/{id}/cancel", access: run, summary: "Cancel a queued or running optimisation.",
        parameters: [id], responses: [.json(.ok, "The run, cancelled.", .ref(RunSchema.self))], problems: [.notFound, .conflict])

    static let deleteOptimization = Endpoint(
        .delete, optimizations + "/{id}", access: run, summary: "Delete an optimisation and its results (cancelling it first).",
        parameters: [id], responses: [.empty(.noContent, "Deleted.")], problems: [.notFound])

    static let heatmap = Endpoint(
        .get, optimizations + "/{id}/results", access: read,
        summary: "Every combination evaluated with its objective and key statistics (the heatmap table), best first.",
        parameters: [id],
        responses: [.json(.ok, "The table.", .object([
            .init("objective", .string), .init("parameters", .array(.string)),
            .init("items", .array(.object([
                .init("parameters", .map(.number)), .init("objective", JSONSchema.number.orNull),
                .init("statistics", .map(JSONSchema.number.orNull)),
            ], required: ["parameters", "objective"]))),
        ], required: ["objective", "parameters", "items"]))],
        problems: [.notFound, .conflict])

    static let optimizationEquity = Endpoint(
        .get, optimizations + "/{id}/equity", access: read,
        summary: "Walk-forward runs: the stitched out-of-sample equity; JSON, or CSV with Accept text/csv.",
        parameters: [id],
        responses: [Endpoint.Answer(.ok, "The series.", content: [
            .init(mediaType: "application/json", schema: .ref(EquitySchema.self)),
            .init(mediaType: "text/csv", schema: .string(description: "date,equity,cash,exposure")),
        ])],
        problems: [.notFound, .conflict])

    static let all: [Endpoint] = [
        builtins, list, create, get, update, delete, signals, paper,
        runBacktest, listBacktests, getBacktest, cancelBacktest, deleteBacktest, trades, fills, equity,
        runOptimization, listOptimizations, getOptimization, cancelOptimization, deleteOptimization, heatmap, optimizationEquity,
    ]
}

// MARK: schemas

enum BuiltinSchema: ContractSchema {
    static let contractSchema = SchemaComponent("BuiltinStrategy", .object([
        .init("name", .string), .init("summary", .string),
        .init("parameters", .array(.object([
            .init("name", .string), .init("default", .number), .init("minimum", .number), .init("maximum", .number),
            .init("integer", .boolean), .init("summary", .string),
        ], required: ["name", "default", "minimum", "maximum", "integer"]))),
    ], required: ["name", "summary", "parameters"]))
}

extension JSONSchema {
    static var rules: JSONSchema {
        .object([
            .init("entry", .string(minLength: 1, maxLength: 4096, description: "An expression that is true on the bar to enter.")),
            .init("exit", .string(minLength: 1, maxLength: 4096, description: "An expression that is true on the bar to exit; state variables entry_price, bars_held.")),
            .init("side", .string(enum: ["long", "short"])),
            .init("size", .number(exclusiveMinimum: 0, maximum: 1, description: "fraction of equity per symbol")),
            .init("stop_loss", .number(exclusiveMinimum: 0, maximum: 1, description: "fraction of the entry price, below 1")), .init("take_profit", .number(exclusiveMinimum: 0, maximum: 1)),
        ], required: ["entry"])
    }

    static var runSettings: [Property] {
        [
            .init("from", .date), .init("to", .date), .init("capital", .number(exclusiveMinimum: 0, description: "starting cash (default 100000)")),
            .init("fees", .object([
                .init("preset", .string(enum: ["interactive-brokers-us"])), .init("percent", .number(minimum: 0, maximum: 0.2)),
                .init("per_share", .number(minimum: 0, maximum: 100)), .init("minimum", .number(minimum: 0)),
                .init("maximum_percent", .number(minimum: 0, maximum: 1)), .init("fixed", .number(minimum: 0)),
            ], description: "summed over the parts given")),
            .init("slippage", .object([
                .init("model", .string(enum: ["none", "percent", "fixed", "volume_share"])), .init("value", .number(minimum: 0)),
                .init("price_impact", .number(minimum: 0)), .init("volume_limit", .number(exclusiveMinimum: 0, maximum: 1)),
            ], required: ["model"])),
            .init("fill", .object([
                .init("volume_cap", .number(exclusiveMinimum: 0, maximum: 1)), .init("fractional", .boolean),
                .init("allow_short", .boolean), .init("liquidate_at_end", .boolean),
            ])),
            .init("benchmark", .string(description: "a symbol for alpha and beta")),
            .init("risk_free", .number(minimum: -0.01, maximum: 0.01, description: "per-period risk-free return")),
        ]
    }
}

enum StrategyInputSchema: ContractSchema {
    static let contractSchema = SchemaComponent("StrategyInput", .object([
        .init("name", .string(minLength: 1, maxLength: 200)), .init("type", .string(enum: ["builtin", "rules"])),
        .init("builtin", .string), .init("parameters", .map(.number)), .init("rules", .rules),
        .init("symbols", .array(.string, minItems: 1, maxItems: 500)), .init("weights", .map(.number(minimum: 0, maximum: 1))),
        .init("live", .boolean), .init("paper", .object(JSONSchema.runSettings)),
    ], description: "A new strategy needs name, type, symbols and the builtin or the rules; a PATCH names the fields it changes."))
}

extension StrategyView: ContractSchema {
    static let contractSchema = SchemaComponent("Strategy", .object([
        .init("id", .string), .init("name", .string), .init("owner", .string), .init("type", .string(enum: ["builtin", "rules"])),
        .init("builtin", .string), .init("parameters", .map(.number)), .init("rules", .rules), .init("symbols", .array(.string)),
        .init("weights", .map(.number)), .init("live", .boolean), .init("live_since", .date), .init("paper", .object(JSONSchema.runSettings)),
        .init("created_at", .dateTime), .init("updated_at", .dateTime),
    ], required: ["id", "name", "owner", "type", "symbols", "live", "created_at", "updated_at"]))
}

enum BacktestInputSchema: ContractSchema {
    static let contractSchema = SchemaComponent("BacktestInput", .object([
        .init("strategy_id", .string), .init("strategy", .ref(StrategyInputSchema.self)),
        .init("symbols", .array(.string, minItems: 1, maxItems: 500, description: "default: the strategy's")),
        .init("parameters", .map(.number, description: "built-in parameters overriding the strategy's")),
    ] + JSONSchema.runSettings, description: "Exactly one of strategy_id and strategy."))
}

enum OptimizationInputSchema: ContractSchema {
    static let contractSchema = SchemaComponent("OptimizationInput", .object([
        .init("strategy_id", .string), .init("strategy", .ref(StrategyInputSchema.self)),
        .init("symbols", .array(.string, minItems: 1, maxItems: 500)),
        .init("grid", .map(.object([
            .init("values", .array(.number, minItems: 1, maxItems: 1000)), .init("start", .number), .init("stop", .number),
            .init("step", .number(exclusiveMinimum: 0)),
        ]), description: "built-in parameter → its values, or start/stop/step")),
        .init("constraint", .string(maxLength: 4096, description: "an expression over the parameters, e.g. fast < slow")),
        .init("objective", .string(description: "the statistic to maximise (default sharpe)")),
        .init("sample", .integer(minimum: 1, maximum: 100_000, description: "evaluate this many random combinations")),
        .init("seed", .integer(minimum: 0)),
        .init("walk_forward", .object([
            .init("in_sample", .integer(minimum: 20)), .init("out_of_sample", .integer(minimum: 1)),
            .init("step", .integer(minimum: 1)), .init("anchored", .boolean),
        ], required: ["in_sample", "out_of_sample"])),
    ] + JSONSchema.runSettings, required: ["grid"], description: "Exactly one of strategy_id and strategy (a built-in)."))
}

enum RunSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Run", .object([
        .init("id", .string), .init("kind", .string(enum: ["backtest", "optimization"])),
        .init("status", .string(RunState.self)), .init("progress", .number(minimum: 0, maximum: 1)),
        .init("strategy_id", .string), .init("request", .any(description: "the resolved definition and settings")),
        .init("definition_hash", .string), .init("data_hash", .string), .init("error", .string),
        .init("statistics", .any(description: "backtests: the statistics (docs/backtesting.md); optimisations: best, dsr, pbo, walk_forward")),
        .init("created_at", .dateTime), .init("started_at", .dateTime), .init("finished_at", .dateTime),
    ], required: ["id", "kind", "status", "progress", "request", "definition_hash", "created_at"]))
}

enum TradeSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Trade", .object([
        .init("symbol", .string), .init("side", .string(enum: ["long", "short"])), .init("quantity", .number),
        .init("entry_date", .date), .init("entry_price", .number), .init("exit_date", JSONSchema.date.orNull),
        .init("exit_price", JSONSchema.number.orNull), .init("pnl", .number), .init("return", .number), .init("fees", .number),
        .init("bars", .integer), .init("days", .integer), .init("mae", .number), .init("mfe", .number), .init("open", .boolean),
    ], required: ["symbol", "side", "quantity", "entry_date", "entry_price", "pnl", "return", "open"]))
}

enum FillSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Fill", .object([
        .init("date", .date), .init("symbol", .string), .init("side", .string(enum: ["buy", "sell"])), .init("quantity", .number),
        .init("price", .number), .init("fee", .number), .init("slippage", .number), .init("order_id", .integer), .init("order_type", .string),
    ], required: ["date", "symbol", "side", "quantity", "price", "fee"]))
}

enum RefusalSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Refusal", .object([
        .init("date", .date), .init("symbol", .string), .init("order_id", .integer), .init("reason", .string),
    ], required: ["date", "symbol", "reason"]))
}

enum EquitySchema: ContractSchema {
    static let contractSchema = SchemaComponent("Equity", .object([
        .init("items", .array(.object([
            .init("date", .date), .init("equity", .number), .init("cash", .number), .init("exposure", .number),
        ], required: ["date", "equity"], description: "cash and exposure are absent from a stitched walk-forward curve"))),
    ], required: ["items"]))
}

enum SignalSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Signal", .object([
        .init("strategy_id", .string), .init("symbol", .string), .init("bar_date", .date),
        .init("action", .string(enum: ["buy", "sell"])), .init("quantity", .number), .init("price", .number),
        .init("created_at", .dateTime),
    ], required: ["strategy_id", "symbol", "bar_date", "action", "quantity", "price", "created_at"]))
}

enum PaperSchema: ContractSchema {
    static let contractSchema = SchemaComponent("PaperAccount", .object([
        .init("strategy_id", .string), .init("as_of", JSONSchema.date.orNull), .init("capital", .number),
        .init("cash", .number), .init("equity", .number),
        .init("positions", .array(.object([
            .init("symbol", .string), .init("quantity", .number), .init("close", .number), .init("value", .number),
        ], required: ["symbol", "quantity", "close", "value"]))),
        .init("orders", .array(.object([
            .init("symbol", .string), .init("side", .string(enum: ["buy", "sell"])), .init("type", .string),
            .init("placed", .date),
        ], required: ["symbol", "side", "type"]))),
        .init("fills", .array(.ref(FillSchema.self))), .init("equity_series", .array(.object([
            .init("date", .date), .init("equity", .number),
        ], required: ["date", "equity"]))),
        .init("statistics", .any(description: "the account's statistics since it went live")),
    ], required: ["strategy_id", "capital", "cash", "equity", "positions", "orders", "fills", "equity_series"]))
}
