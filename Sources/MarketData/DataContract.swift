import ServiceKit

/// The `data` service's operations: each route's method, path, access rule and OpenAPI operation, declared once.
/// Routes register these (`router.on(DataContract.…)`); the descriptor derives the access policy and the contract.
enum DataContract {
    static let read = AccessPolicy.Requirement.scope("data:read")
    static let write = AccessPolicy.Requirement.scope("data:write")
    static let symbol = Endpoint.Parameter.path("symbol", .string(maxLength: 20), "Ticker symbol, case-insensitive.")
    static let interval = JSONSchema.string(enum: ["1d", "1w", "1mo"], default: "1d")

    static let listInstruments = Endpoint(
        .get, "/api/v1/data/instruments", access: read, summary: "List instruments, ordered by symbol.",
        parameters: [
            .query("q", .string, "Case-insensitive substring of symbol or name."),
            .query("type", .string(Instrument.InstrumentType.self)),
            .query("exchange", .string),
            .query("limit", .integer(minimum: 1, maximum: 1000, default: 100)),
            .query("offset", .integer(minimum: 0, default: 0)),
        ],
        responses: [.json(.ok, "A page of instruments.", .object([
            .init("items", .array(.ref(Instrument.self))), .init("total", .integer),
            .init("limit", .integer), .init("offset", .integer),
        ], required: ["items", "total", "limit", "offset"]))])

    static let createInstrument = Endpoint(
        .post, "/api/v1/data/instruments", access: write, summary: "Create an instrument.",
        body: .json(Instrument.self),
        responses: [.json(.created, "Created; Location names it.", Instrument.self, headers: ["Location": "The instrument's URL."])],
        problems: [.conflict])

    static let instrument = Endpoint(
        .get, "/api/v1/data/instruments/{symbol}", access: read, summary: "One instrument.",
        parameters: [symbol], responses: [.json(.ok, "The instrument.", Instrument.self)], problems: [.notFound])

    static let series = Endpoint(
        .get, "/api/v1/data/market/{symbol}", access: read,
        summary: "Daily bars of a symbol, optionally resampled and adjusted; JSON, or CSV with Accept text/csv.",
        description: """
            Weekly bars are ISO weeks (Monday to Sunday) and monthly bars calendar months, each dated by its first \
            trading day: first open, highest high, lowest low, last close, summed volume. Adjusted prices are scaled \
            by adjusted close / close. Answers carry an ETag; a matching If-None-Match gets 304.
            """,
        parameters: [
            symbol, .query("from", .date), .query("to", .date), .query("interval", interval),
            .query("adjusted", .boolean(default: false)),
        ],
        responses: [
            Endpoint.Answer(.ok, "The bars.", content: [
                .init(mediaType: "application/json", schema: .ref(BarSeriesSchema.self)),
                .init(mediaType: "text/csv", schema: .string(description: "Date,Open,High,Low,Close,Adj Close,Volume")),
            ], headers: ["ETag": "The version of the answer.", "Cache-Control": "How long it may be reused."]),
            .empty(.notModified, "Not modified since the ETag in If-None-Match."),
        ],
        problems: [.notFound])

    static let latest = Endpoint(
        .get, "/api/v1/data/market/{symbol}/latest", access: read, summary: "The newest bar of a symbol.",
        parameters: [symbol],
        responses: [.json(.ok, "The newest bar.", .object([.init("symbol", .string), .init("bar", .ref(BarSchema.self))]))],
        problems: [.notFound])

    static let batch = Endpoint(
        .post, "/api/v1/data/market", access: read, summary: "Bars of several symbols at once.",
        body: .json(.object([
            .init("symbols", .array(.string, minItems: 1, maxItems: 100)),
            .init("from", .date), .init("to", .date), .init("interval", interval), .init("adjusted", .boolean),
        ], required: ["symbols"])),
        responses: [.json(.ok, "Bars by symbol; unknown symbols listed in not_found.", .object([
            .init("series", .map(.ref(BarSeriesSchema.self))), .init("not_found", .array(.string)),
        ]))])

    static let validate = Endpoint(
        .post, "/api/v1/data/validate", access: read,
        summary: "Quality report of the bars in the body (row rules, gaps, outliers, stale runs, score); stores nothing.",
        body: .json(.object([
            .init("bars", .array(.ref(BarSchema.self), minItems: 1, maxItems: 100_000)),
            .init("holidays", .array(.date)),
            .init("outlier_z", .number(exclusiveMinimum: 0, default: 6)),
            .init("stale_run", .integer(minimum: 2, maximum: 1000, default: 5)),
        ], required: ["bars"])),
        responses: [.json(.ok, "The report; valid is false when any bar breaks a row rule.", .ref(ValidationResultSchema.self))])

    static let qualityMetrics = Endpoint(
        .get, "/api/v1/data/quality/metrics", access: read,
        summary: "Per stored series, bars, date range and the quality score measured by etl.",
        parameters: [.query("symbol", .string)],
        responses: [.json(.ok, "Totals and one entry per series.", .any(description: "series and totals"))],
        problems: [.notFound])

    static let statements = Endpoint(
        .get, "/api/v1/data/fundamentals/{symbol}", access: read, summary: "Financial statements of a symbol, newest period first.",
        parameters: [symbol, .query("statement", .string(enum: ["income", "balance", "cashflow"])),
                     .query("period", .string(enum: ["annual", "quarterly"]))],
        responses: [.json(.ok, "The statements.", .object([.init("symbol", .string), .init("statements", .array(.ref(StatementSchema.self)))]))])

    static let putStatements = Endpoint(
        .put, "/api/v1/data/fundamentals/{symbol}", access: write,
        summary: "Store statements of a symbol, each replacing the same statement and period.",
        parameters: [symbol], body: .json(.array(.ref(StatementSchema.self), minItems: 1, maxItems: 200)),
        responses: [.json(.ok, "Every statement of the symbol.", .object([.init("symbol", .string), .init("statements", .array(.ref(StatementSchema.self)))]))])

    static let actions = Endpoint(
        .get, "/api/v1/data/actions/{symbol}", access: read, summary: "Corporate actions (splits, dividends) of a symbol, oldest first.",
        parameters: [symbol, .query("kind", .string(enum: ["split", "dividend"])), .query("from", .date), .query("to", .date)],
        responses: [.json(.ok, "The actions.", .object([.init("symbol", .string), .init("actions", .array(.ref(CorporateActionSchema.self)))]))])

    static let putActions = Endpoint(
        .put, "/api/v1/data/actions/{symbol}", access: write,
        summary: "Store corporate actions of a symbol, replacing any of the same date and kind.",
        parameters: [symbol], body: .json(.array(.ref(CorporateActionSchema.self), minItems: 1, maxItems: 10_000)),
        responses: [.json(.ok, "Every action of the symbol.", .object([.init("symbol", .string), .init("actions", .array(.ref(CorporateActionSchema.self)))]))])

    static let all: [Endpoint] = [
        listInstruments, createInstrument, instrument, series, latest, batch, validate, qualityMetrics,
        statements, putStatements, actions, putActions,
    ]
}

extension Instrument: ContractSchema {
    public static let contractSchema = SchemaComponent("Instrument", .object([
        .init("symbol", .string(pattern: #"^[A-Z0-9][A-Z0-9.\-^=]{0,19}$"#)),
        .init("name", .string(maxLength: 200)),
        .init("exchange", JSONSchema.string.orNull),
        .init("currency", .string(pattern: "^[A-Z]{3}$")),
        .init("type", .string(Instrument.InstrumentType.self)),
        .init("sector", JSONSchema.string.orNull),
        .init("industry", JSONSchema.string.orNull),
        .init("country", JSONSchema.string(pattern: "^[A-Z]{2}$", description: "ISO 3166-1 alpha-2 code of the issuer's country (an assigned code)").orNull),
    ], required: ["symbol", "name", "currency", "type"]))
}

/// Wire schemas of the bar answers (their Swift types are built by hand in ``MarketRoutes``).
enum BarSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Bar", .object([
        .init("date", .date), .init("open", .number), .init("high", .number), .init("low", .number),
        .init("close", .number), .init("adj_close", .number), .init("volume", .number),
    ], required: ["date", "open", "high", "low", "close", "volume"]))
}

enum BarSeriesSchema: ContractSchema {
    static let contractSchema = SchemaComponent("BarSeries", .object([
        .init("symbol", .string), .init("interval", .string), .init("adjusted", .boolean),
        .init("bars", .array(.ref(BarSchema.self))),
    ], required: ["symbol", "interval", "bars"]))
}

enum ValidationResultSchema: ContractSchema {
    static let contractSchema = SchemaComponent("ValidationResult", .object([
        .init("valid", .boolean),
        .init("report", .object([
            .init("bars", .integer),
            .init("issues", .array(.object([.init("index", .integer), .init("field", .string), .init("reason", .string)]))),
            .init("first_date", JSONSchema.string.orNull), .init("last_date", JSONSchema.string.orNull),
            .init("expected_bars", .integer), .init("gaps", .array(.object([]))), .init("missing_bars", .integer),
            .init("outliers", .array(.object([]))), .init("stale_runs", .array(.object([]))),
            .init("score", .number(minimum: 0, maximum: 100)),
        ])),
    ]))
}

enum StatementSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Statement", .object([
        .init("statement", .string(enum: ["income", "balance", "cashflow"])),
        .init("period", .string(enum: ["annual", "quarterly"])),
        .init("period_end", .date),
        .init("currency", .string(pattern: "^[A-Z]{3}$")),
        .init("items", .map(.number)),
    ], required: ["statement", "period", "period_end", "currency", "items"]))
}

enum CorporateActionSchema: ContractSchema {
    static let contractSchema = SchemaComponent("CorporateAction", .object([
        .init("date", .date),
        .init("kind", .string(enum: ["split", "dividend"])),
        .init("value", .number(exclusiveMinimum: 0, description: "split - new shares per old share; dividend - cash per share")),
        .init("currency", JSONSchema.string.orNull),
    ], required: ["date", "kind", "value"]))
}
