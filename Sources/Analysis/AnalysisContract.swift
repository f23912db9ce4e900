import HTTPTypes
import Quant
import ServiceKit

/// The `analysis` service's operations, declared once. Everything is computed from `data`'s bars, instruments and
/// fundamentals for the caller (their `data:read` applies there); saved screens belong to their owner (another
/// user's id answers 404).
enum AnalysisContract {
    static let read = AccessPolicy.Requirement.scope(Scope.analysisRead)
    static let write = AccessPolicy.Requirement.scope(Scope.analysisWrite)
    static let root = "/api/v1/analysis"
    static let symbol = Endpoint.Parameter.path("symbol", .string(maxLength: 40), "Ticker symbol, case-insensitive.")
    static let from = Endpoint.Parameter.query("from", .date, "First day (inclusive).")
    static let to = Endpoint.Parameter.query("to", .date, "Last day (inclusive).")
    static let interval = Endpoint.Parameter.query("interval", .string(enum: ["1d", "1w", "1mo"], default: "1d"))
    /// Routes reading from `data`.
    static let upstream: [HTTPResponse.Status] = [.notFound, .unprocessableContent, .badGateway, .serviceUnavailable, .gatewayTimeout]
    static let cached = ["ETag": "The version of the answer.", "Cache-Control": "How long it may be reused."]
    static let notModified = Endpoint.Answer.empty(.notModified, "Not modified since the ETag in If-None-Match.")

    static let catalogue = Endpoint(
        .get, root + "/indicators", access: read, summary: "Every indicator with its parameters, defaults and ranges.",
        responses: [.json(.ok, "The catalogue.", .object([.init("items", .array(.object([
            .init("name", .string), .init("summary", .string), .init("overlay", .boolean), .init("outputs", .array(.string)),
            .init("parameters", .array(.object([
                .init("name", .string), .init("default", .number), .init("minimum", .number), .init("maximum", .number), .init("integer", .boolean),
            ], required: ["name", "default", "minimum", "maximum", "integer"]))),
        ], required: ["name", "summary", "overlay", "outputs", "parameters"])))], required: ["items"]), headers: cached), notModified])

    static let indicators = Endpoint(
        .get, root + "/indicators/{symbol}", access: read,
        summary: "Indicators of a symbol's bars in a range; JSON columns, or CSV with Accept text/csv.",
        description: """
            `names` is a comma-separated list of `name[:param…]` (sma:20,rsi:14,macd:12:26:9,bbands:20:2; see GET \
            /indicators). Every indicator is computed over the symbol's whole history and then cut to from…to, so the \
            values at `from` are not warm-up; warm-up values are null.
            """,
        parameters: [symbol, .query("names", .string(minLength: 1, maxLength: 2000), required: true), from, to, interval],
        responses: [Endpoint.Answer(.ok, "The columns.", content: [
            .init(mediaType: "application/json", schema: .ref(IndicatorSeriesSchema.self)),
            .init(mediaType: "text/csv", schema: .string(description: "Date, then one column per output")),
        ], headers: cached), notModified],
        problems: upstream)

    static let indicatorsBatch = Endpoint(
        .post, root + "/indicators", access: read, summary: "Indicators of several symbols at once.",
        body: .json(.object([
            .init("symbols", .array(.string(maxLength: 40), minItems: 1, maxItems: 100)), .init("names", .string(minLength: 1, maxLength: 2000)),
            .init("from", .date), .init("to", .date), .init("interval", .string(enum: ["1d", "1w", "1mo"])),
        ], required: ["symbols", "names"])),
        responses: [.json(.ok, "Columns by symbol; symbols without bars in not_found.", .object([
            .init("series", .map(.ref(IndicatorSeriesSchema.self))), .init("not_found", .array(.string)),
        ], required: ["series", "not_found"]))],
        problems: [.badGateway, .serviceUnavailable, .gatewayTimeout])

    static let metrics = Endpoint(
        .get, root + "/metrics/{symbol}", access: read,
        summary: "Performance and risk metrics of a symbol's daily close-to-close returns in a range.",
        parameters: [
            symbol, from, to, .query("benchmark", .string(maxLength: 40), "A symbol for beta and alpha."),
            .query("risk_free", .number(minimum: -0.01, maximum: 0.01), "Risk-free return per day (default 0)."),
            .query("rolling", .integer(minimum: 2, maximum: 2520), "A window (days) for rolling volatility, Sharpe and beta."),
        ],
        responses: [.json(.ok, "The report.", .ref(MetricsSchema.self), headers: cached), notModified],
        problems: upstream)

    static let metricsOfSeries = Endpoint(
        .post, root + "/metrics", access: read, summary: "The same report for a return series the client sends.",
        body: .json(.object([
            .init("returns", .array(.number, minItems: 1, maxItems: 100_000)), .init("benchmark", .array(.number, maxItems: 100_000)),
            .init("dates", .array(.date, maxItems: 100_000)), .init("periods_per_year", .number(exclusiveMinimum: 0, maximum: 100_000)),
            .init("risk_free", .number(minimum: -0.01, maximum: 0.01)), .init("rolling", .integer(minimum: 2, maximum: 100_000)),
        ], required: ["returns"])),
        responses: [.json(.ok, "The report.", .ref(MetricsSchema.self))])

    static let ratios = Endpoint(
        .get, root + "/ratios/{symbol}", access: read,
        summary: "Fundamental ratios of every period `data` holds, newest first, with not_available reasons.",
        parameters: [
            symbol, .query("period", .string(enum: ["annual", "quarterly"], default: "annual")),
            .query("price", .string(enum: ["statement", "latest"], default: "statement"),
                   "Valuation ratios use the close on the statement's date (the last at or before it), or the latest close."),
        ],
        responses: [.json(.ok, "The ratios.", .ref(RatiosSchema.self), headers: cached), notModified],
        problems: upstream)

    static let company = Endpoint(
        .get, root + "/companies/{symbol}", access: read,
        summary: "Company analysis: profile, ratios, growth, margins, common-size statements, DuPont, per-share figures and trends.",
        parameters: [symbol, .query("period", .string(enum: ["annual", "quarterly"], default: "annual"))],
        responses: [.json(.ok, "The analysis.", .ref(CompanySchema.self), headers: cached), notModified],
        problems: upstream)

    static let sector = Endpoint(
        .get, root + "/sectors/{sector}", access: read,
        summary: "The instruments of a sector side by side: metrics and ratios with percentile ranks, correlations, relative performance.",
        parameters: [.path("sector", .string(maxLength: 100), "A sector as `data` names it (case-insensitive)."), from, to],
        responses: [.json(.ok, "The comparison.", .ref(ComparisonSchema.self), headers: cached), notModified],
        problems: upstream)

    static let compare = Endpoint(
        .post, root + "/compare", access: read,
        summary: "Symbols (or a sector) side by side: metrics and ratios with percentile ranks, correlations, relative performance.",
        body: .json(.object([
            .init("symbols", .array(.string(maxLength: 40), minItems: 1, maxItems: 50)), .init("sector", .string(maxLength: 100)),
            .init("from", .date), .init("to", .date),
        ], description: "symbols or sector")),
        responses: [.json(.ok, "The comparison.", .ref(ComparisonSchema.self))],
        problems: [.notFound, .badGateway, .serviceUnavailable, .gatewayTimeout])

    static let screen = Endpoint(
        .post, root + "/screen", access: read,
        summary: "Symbols whose latest bar satisfies an expression over indicators, metrics and ratios.",
        description: """
            `expression` is in the expression language (docs/expressions.md) with the series open, high, low, close, \
            volume and the per-symbol values pe, pb, ps, roe, roa, net_margin, debt_to_equity, dividend_yield, \
            return_1y, volatility_1y (NaN when not available: comparisons with NaN are false). Evaluated on each \
            symbol's latest bar. `values` are expressions reported for each match; `sort` is one of them.
            """,
        body: .json(.ref(ScreenInputSchema.self)),
        responses: [.json(.ok, "The matches.", .ref(ScreenResultSchema.self))],
        problems: [.badGateway, .serviceUnavailable, .gatewayTimeout])

    static let listScreens = Endpoint(
        .get, root + "/screens", access: read, summary: "The caller's saved screens.",
        responses: [.json(.ok, "Screens.", .object([.init("items", .array(.ref(SavedScreenSchema.self)))], required: ["items"]), headers: cached), notModified])

    static let createScreen = Endpoint(
        .post, root + "/screens", access: write, summary: "Save a screen.",
        body: .json(.object([.init("name", .string(minLength: 1, maxLength: 200)), .init("screen", .ref(ScreenInputSchema.self))],
                            required: ["name", "screen"])),
        responses: [.json(.created, "Saved; Location names it.", .ref(SavedScreenSchema.self), headers: ["Location": "The screen's URL."])])

    static let screenID = Endpoint.Parameter.path("id", .string, "The screen's id.")

    static let getScreen = Endpoint(
        .get, root + "/screens/{id}", access: read, summary: "One saved screen.", parameters: [screenID],
        responses: [.json(.ok, "The screen.", .ref(SavedScreenSchema.self), headers: cached), notModified], problems: [.notFound])

    static let updateScreen = Endpoint(
        .patch, root + "/screens/{id}", access: write, summary: "Rename a saved screen or change it.", parameters: [screenID],
        body: .json(.object([.init("name", .string(minLength: 1, maxLength: 200)), .init("screen", .ref(ScreenInputSchema.self))])),
        responses: [.json(.ok, "The screen.", .ref(SavedScreenSchema.self))], problems: [.notFound])

    static let deleteScreen = Endpoint(
        .delete, root + "/screens/{id}", access: write, summary: "Delete a saved screen.", parameters: [screenID],
        responses: [.empty(.noContent, "Deleted.")], problems: [.notFound])

    static let runScreen = Endpoint(
        .post, root + "/screens/{id}/run", access: read, summary: "Run a saved screen now.", parameters: [screenID],
        responses: [.json(.ok, "The matches.", .ref(ScreenResultSchema.self))],
        problems: [.notFound, .badGateway, .serviceUnavailable, .gatewayTimeout])

    static let svg = [Endpoint.Answer(.ok, "The chart.", content: [.init(mediaType: "image/svg+xml", schema: .string(description: "SVG 1.1"))],
                                      headers: cached), notModified]

    static let chart = Endpoint(
        .get, root + "/charts/{symbol}", access: read,
        summary: "A price chart as SVG (`/charts/ORCL.svg`): candles, OHLC bars or a line, with overlays and panes.",
        parameters: [
            .path("symbol", .string(maxLength: 44), "Ticker symbol, optionally followed by .svg."), from, to, interval,
            .query("type", .string(enum: ["candles", "ohlc", "line"], default: "candles")),
            .query("overlays", .string(maxLength: 500), "Indicators on the price pane: sma:50,sma:200,bbands:20:2 (overlay indicators only)."),
            .query("panes", .string(maxLength: 500), "Panes under the price: volume, or indicators (rsi:14, macd, atr:14 …)."),
            .query("width", .integer(minimum: 200, maximum: 4000, default: 1000)), .query("height", .integer(minimum: 150, maximum: 3000, default: 600)),
            .query("theme", .string(enum: ["light", "dark"], default: "light")), .query("log", .boolean(default: false)),
        ],
        responses: svg, problems: upstream)

    static let compareChart = Endpoint(
        .get, root + "/charts/compare.svg", access: read, summary: "Closes of several symbols rebased to 100 at the first common day, as SVG.",
        parameters: [
            .query("symbols", .string(minLength: 1, maxLength: 500), "Comma-separated, 1 to 12.", required: true), from, to,
            .query("width", .integer(minimum: 200, maximum: 4000, default: 1000)), .query("height", .integer(minimum: 150, maximum: 3000, default: 500)),
            .query("theme", .string(enum: ["light", "dark"], default: "light")), .query("log", .boolean(default: false)),
        ],
        responses: svg, problems: upstream)

    static let equityChart = Endpoint(
        .post, root + "/charts/equity.svg", access: read, summary: "An equity curve the client sends, with its drawdown pane, as SVG.",
        body: .json(.object([
            .init("dates", .array(.date, minItems: 2, maxItems: 100_000)),
            .init("series", .map(.array(.number, minItems: 2, maxItems: 100_000), description: "name → values aligned with dates (the first is drawn with its drawdown)")),
            .init("title", .string(maxLength: 200)), .init("width", .integer(minimum: 200, maximum: 4000)),
            .init("height", .integer(minimum: 150, maximum: 3000)), .init("theme", .string(enum: ["light", "dark"])), .init("log", .boolean),
        ], required: ["dates", "series"])),
        responses: [Endpoint.Answer(.ok, "The chart.", content: [.init(mediaType: "image/svg+xml", schema: .string(description: "SVG 1.1"))])])

    static let cacheStatus = Endpoint(
        .get, "/api/status/cache", access: .open, summary: "Cache sizes and hit ratios by kind of answer (this instance's; never cached).",
        responses: [.json(.ok, "The cache.", .object([
            .init("bars", .integer), .init("answers", .integer), .init("invalidations", .integer),
            .init("kinds", .map(.object([.init("hits", .integer), .init("misses", .integer), .init("hit_ratio", JSONSchema.number.orNull)],
                                        required: ["hits", "misses"]))),
        ], required: ["bars", "answers", "invalidations", "kinds"]))], problems: [.unauthorized])

    static let all: [Endpoint] = [
        catalogue, indicators, indicatorsBatch, metrics, metricsOfSeries, ratios, company, sector, compare, screen,
        listScreens, createScreen, getScreen, updateScreen, deleteScreen, runScreen, chart, compareChart, equityChart, cacheStatus,
    ]
}

// MARK: schemas

enum IndicatorSeriesSchema: ContractSchema {
    static let contractSchema = SchemaComponent("IndicatorSeries", .object([
        .init("symbol", .string), .init("interval", .string), .init("dates", .array(.date)),
        .init("columns", .map(.array(JSONSchema.number.orNull), description: "column name → values aligned with dates (null in warm-up)")),
        .init("names", .array(.string, description: "the columns in order")),
    ], required: ["symbol", "interval", "dates", "columns", "names"]))
}

enum MetricsSchema: ContractSchema {
    static let n = JSONSchema.number.orNull
    static let contractSchema = SchemaComponent("Metrics", .object([
        .init("symbol", .string), .init("benchmark", .string), .init("from", .date), .init("to", .date), .init("count", .integer),
        .init("periods_per_year", .number), .init("risk_free", .number),
        .init("cumulative_return", .number), .init("annual_return", .number), .init("annual_volatility", n), .init("sharpe", n),
        .init("sortino", n), .init("downside_risk", .number), .init("calmar", n), .init("omega", n),
        .init("max_drawdown", .object([.init("depth", .number), .init("peak", JSONSchema.integer.orNull), .init("trough", JSONSchema.integer.orNull),
                                       .init("recovery", JSONSchema.integer.orNull), .init("peak_date", JSONSchema.date.orNull),
                                       .init("trough_date", JSONSchema.date.orNull), .init("recovery_date", JSONSchema.date.orNull)], required: ["depth"])),
        .init("value_at_risk", .number), .init("conditional_value_at_risk", .number), .init("parametric_value_at_risk", n),
        .init("beta", n), .init("alpha", n),
        .init("rolling", .object([
            .init("window", .integer), .init("dates", .array(.date)), .init("volatility", .array(n)), .init("sharpe", .array(n)),
            .init("beta", .array(n)),
        ], required: ["window", "volatility", "sharpe"])),
    ], required: ["count", "cumulative_return", "annual_return", "max_drawdown", "value_at_risk", "conditional_value_at_risk"]))
}

enum RatiosSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Ratios", .object([
        .init("symbol", .string), .init("period", .string), .init("price", .string),
        .init("periods", .array(.object([
            .init("period", .string), .init("period_end", .date), .init("price", JSONSchema.number.orNull), .init("price_date", JSONSchema.date.orNull),
            .init("ratios", .map(JSONSchema.number.orNull)), .init("not_available", .map(.string, description: "ratio → why it is missing")),
        ], required: ["period", "period_end", "ratios", "not_available"]))),
    ], required: ["symbol", "period", "price", "periods"]))
}

enum CompanySchema: ContractSchema {
    static let contractSchema = SchemaComponent("Company", .object([
        .init("symbol", .string), .init("profile", .any(description: "the instrument as data describes it")),
        .init("period", .string), .init("latest_close", JSONSchema.number.orNull), .init("latest_date", JSONSchema.date.orNull),
        .init("ratios", .any(description: "the newest period's ratios (see Ratios)")),
        .init("analysis", .any(description: "periods, margins, growth, cagr, common_size, dupont, per_share, trends (docs/analysis.md)")),
    ], required: ["symbol", "profile", "period"]))
}

enum ComparisonSchema: ContractSchema {
    static let n = JSONSchema.number.orNull
    static let contractSchema = SchemaComponent("Comparison", .object([
        .init("symbols", .array(.string)), .init("from", JSONSchema.date.orNull), .init("to", JSONSchema.date.orNull),
        .init("rows", .array(.object([
            .init("symbol", .string), .init("metrics", .map(n)), .init("ratios", .map(n)), .init("percentiles", .map(n)),
        ], required: ["symbol", "metrics", "ratios", "percentiles"]))),
        .init("correlation", .array(.array(n))),
        .init("rebased", .object([.init("dates", .array(.date)), .init("series", .map(.array(.number)))], required: ["dates", "series"])),
        .init("not_found", .array(.string)),
    ], required: ["symbols", "rows", "correlation", "rebased", "not_found"]))
}

enum ScreenInputSchema: ContractSchema {
    static let contractSchema = SchemaComponent("ScreenInput", .object([
        .init("expression", .string(minLength: 1, maxLength: 4096)),
        .init("symbols", .array(.string(maxLength: 40), minItems: 1, maxItems: 5000, description: "default: every instrument data knows")),
        .init("values", .array(.string(minLength: 1, maxLength: 1000), maxItems: 10, description: "number expressions reported per match")),
        .init("sort", .string(maxLength: 1000, description: "one of values (default: the first)")),
        .init("order", .string(enum: ["asc", "desc"])), .init("limit", .integer(minimum: 1, maximum: 5000)),
    ], required: ["expression"]))
}

enum ScreenResultSchema: ContractSchema {
    static let contractSchema = SchemaComponent("ScreenResult", .object([
        .init("expression", .string), .init("evaluated", .integer), .init("matched", .integer),
        .init("items", .array(.object([
            .init("symbol", .string), .init("date", .date), .init("close", .number), .init("values", .map(JSONSchema.number.orNull)),
        ], required: ["symbol", "date", "close", "values"]))),
        .init("skipped", .array(.object([.init("symbol", .string), .init("reason", .string)], required: ["symbol", "reason"]))),
    ], required: ["expression", "evaluated", "matched", "items", "skipped"]))
}

enum SavedScreenSchema: ContractSchema {
    static let contractSchema = SchemaComponent("SavedScreen", .object([
        .init("id", .string), .init("name", .string), .init("owner", .string), .init("screen", .ref(ScreenInputSchema.self)),
        .init("created_at", .dateTime), .init("updated_at", .dateTime),
    ], required: ["id", "name", "owner", "screen", "created_at", "updated_at"]))
}
