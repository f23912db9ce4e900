import ServiceKit

/// The `etl` service's operations: each route's method, path, access rule and OpenAPI operation, declared once.
/// Routes register these (`router.on(ETLContract.…)`); the descriptor derives the access policy and the contract.
enum ETLContract {
    static let read = AccessPolicy.Requirement.scope("etl:read")
    static let write = AccessPolicy.Requirement.scope("etl:write")
    static let jobID = Endpoint.Parameter.path("job_id", .string)
    /// The 202 of every route that queues a job: the job's id, and Location naming its status.
    static let location = ["Location": "the job status, /api/v1/etl/status/{job_id}"]
    /// A collection option's value.
    static let optionValue = JSONSchema.oneOf([.string, .number, .boolean])

    static let collect = Endpoint(
        .post, "/api/v1/etl/collect/{source}", access: write,
        summary: "Start a collection job (uploads of one symbol's history go to collect/csv).",
        description: """
            Sources stooq, yahoo, alphavantage (needs etl.alpha_vantage_key), fred (needs etl.fred_key), worldbank \
            (symbols COUNTRY:INDICATOR) and synthetic take a JSON body and answer 202 with the job's id; the job runs in \
            the background. An unknown source is 404.
            """,
        parameters: [.path("source", .string(enum: ETLRoutes.collectSources.sorted()))],
        body: .json(CollectRequestSchema.self),
        responses: [.json(.accepted, "Job queued; Location names its status.", ETLRoutes.Accepted.self, headers: location)],
        problems: [.notFound])

    static let upload = Endpoint(
        .post, "/api/v1/etl/collect/csv", access: write,
        summary: "Upload one symbol's history as CSV; it becomes a one-item job.",
        description: """
            Takes a text/csv body (Date,Open,High,Low,Close,Adj Close,Volume) and the symbol in the query; a file with \
            any bad row is refused with 422 listing every bad row, and nothing is stored. A valid file is archived and \
            answered with 202 and the job's id; the job publishes its bars in the background.
            """,
        parameters: [.query("symbol", .string(pattern: "^[A-Za-z0-9._^=:-]{1,40}$"), "The symbol of the upload (case-insensitive).",
                            required: true)],
        body: .csv("Date,Open,High,Low,Close,Adj Close,Volume (Adj Close optional)"),
        responses: [.json(.accepted, "Job queued; Location names its status.", ETLRoutes.Accepted.self, headers: location)])

    static let status = Endpoint(
        .get, "/api/v1/etl/status/{job_id}", access: read,
        summary: "A job's state, counts, timings, progress, errors and quality report.",
        parameters: [jobID],
        responses: [.json(.ok, "The job.", JobStatus.self)],
        problems: [.notFound])

    static let transform = Endpoint(
        .post, "/api/v1/etl/transform/{job_id}", access: write,
        summary: "Replay a finished job from its raw archive (validation and transformation again, e.g. split adjustment).",
        parameters: [jobID],
        body: .json(.object([.init("options", .map(optionValue))]), required: false),
        responses: [.json(.accepted, "The job is queued again with run + 1; Location names its status.", ETLRoutes.Accepted.self,
                          headers: location)],
        problems: [.notFound, .conflict])

    static let all: [Endpoint] = [collect, upload, status, transform]
}

/// The body of a collection (``ETLRoutes/CollectBody``), and the request a job's status shows.
enum CollectRequestSchema: ContractSchema {
    static let contractSchema = SchemaComponent("CollectRequest", .object([
        .init("symbols", .array(.string, minItems: 1, maxItems: ETLRoutes.maxSymbols)),
        .init("from", .date),
        .init("to", .date),
        .init("options", JSONSchema.map(ETLContract.optionValue)
            .described("splits (DATE:RATIO,…), outputsize (alphavantage), seed, drift, volatility, start_price (synthetic).")),
    ], required: ["symbols"]))
}

extension ETLRoutes.Accepted: ContractSchema {
    static let contractSchema = SchemaComponent("JobAccepted", .object([
        .init("job_id", .string),
        .init("state", .string(enum: [JobState.queued.rawValue])),
        .init("run", .integer),
        .init("status_url", .string),
    ], required: ["job_id", "state", "run", "status_url"]))
}

extension RowIssue: ContractSchema {
    public static let contractSchema = SchemaComponent("RowIssue", .object([
        .init("line", .integer), .init("column", .string), .init("reason", .string),
    ], required: ["line", "column", "reason"]))
}

extension QualityReport: ContractSchema {
    public static let contractSchema = SchemaComponent("QualityReport", .object([
        .init("bars", .integer),
        .init("first_date", JSONSchema.date.orNull),
        .init("last_date", JSONSchema.date.orNull),
        .init("expected_bars", .integer),
        .init("missing_bars", .integer),
        .init("gaps", .array(.object([.init("from", .string), .init("to", .string), .init("trading_days", .integer)],
                                     required: ["from", "to", "trading_days"]))),
        .init("outliers", .array(.object([.init("date", .string), .init("log_return", .number), .init("z_score", .number)],
                                         required: ["date", "log_return", "z_score"]))),
        .init("stale_runs", .array(.object([.init("from", .string), .init("to", .string), .init("bars", .integer)],
                                           required: ["from", "to", "bars"]))),
        .init("score", .number(minimum: 0, maximum: 100)),
    ], required: ["bars", "expected_bars", "missing_bars", "gaps", "outliers", "stale_runs", "score"]))
}

extension ItemStatus: ContractSchema {
    public static let contractSchema = SchemaComponent("JobItem", .object([
        .init("symbol", .string),
        .init("state", .string(ItemState.self)),
        .init("attempts", .integer),
        .init("rows", .integer),
        .init("bars", .integer),
        .init("events", .integer),
        .init("error", JSONSchema.string.orNull),
        .init("issues", .array(.ref(RowIssue.self))),
        .init("quality", JSONSchema.ref(QualityReport.self).orNull),
        .init("next_attempt_at", JSONSchema.dateTime.orNull),
        .init("archive", .array(.object([
            .init("path", .string), .init("sha256", .string), .init("bytes", .integer), .init("fetched_at", .dateTime),
        ], required: ["path", "sha256", "bytes", "fetched_at"]))),
    ], required: ["symbol", "state", "attempts", "rows", "bars", "events", "issues", "archive"]))
}

extension JobStatus: ContractSchema {
    public static let contractSchema = SchemaComponent("JobStatus", .object([
        .init("id", .string),
        .init("source", .string),
        .init("state", .string(JobState.self)),
        .init("run", .integer),
        .init("request", .ref(CollectRequestSchema.self)),
        .init("counts", .object(["items", "queued", "running", "retrying", "succeeded", "failed", "rows", "bars", "events"].map {
            JSONSchema.Property($0, .integer)
        }, required: ["items", "queued", "running", "retrying", "succeeded", "failed", "rows", "bars", "events"])),
        .init("progress", .number(minimum: 0, maximum: 1)),
        .init("quality_score", JSONSchema.number.orNull),
        .init("timings", .object([
            .init("created_at", .dateTime),
            .init("started_at", JSONSchema.dateTime.orNull),
            .init("finished_at", JSONSchema.dateTime.orNull),
            .init("duration_seconds", JSONSchema.number.orNull),
        ], required: ["created_at"])),
        .init("errors", .array(.object([.init("symbol", .string), .init("message", .string)], required: ["symbol", "message"]))),
        .init("items", .array(.ref(ItemStatus.self))),
    ], required: ["id", "source", "state", "run", "request", "counts", "progress", "timings", "errors", "items"]))
}
