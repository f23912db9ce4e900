import HTTPTypes
import Quant
import ServiceKit

/// The `portfolio` service's operations: each route's method, path, access rule and OpenAPI operation, declared once.
/// Routes register these (`router.on(PortfolioContract.…)`); the descriptor derives the access policy and the contract.
///
/// Every route acts on the caller's own portfolios: another user's portfolio id answers 404, never 403 (admins
/// may read any). Money and quantities are exact decimal JSON numbers (inputs also take a string such as
/// `"10.25"`); returns, ratios and weights are ordinary numbers.
enum PortfolioContract {
    static let read = AccessPolicy.Requirement.scope(Scope.portfolioRead)
    static let write = AccessPolicy.Requirement.scope(Scope.portfolioWrite)
    static let base = "/api/v1/portfolio/portfolios"
    static let id = Endpoint.Parameter.path("id", .string, "The portfolio's id.")
    static let tx = Endpoint.Parameter.path("tx", .string, "The transaction's id.")
    static let date = Endpoint.Parameter.query("date", .date, "Valuation day (default: today, the latest day begun anywhere).")
    static let method = Endpoint.Parameter.query("method", .string(CostMethodName.self, default: .fifo), "Cost method of lots.")
    /// Problems of routes that price the portfolio with the `data` service's closes.
    static let priced: [HTTPResponse.Status] = [.notFound, .unprocessableContent, .badGateway, .serviceUnavailable, .gatewayTimeout]

    static let list = Endpoint(
        .get, base, access: read, summary: "The caller's portfolios.",
        responses: [.json(.ok, "Portfolios, oldest first.", .object([.init("items", .array(.ref(PortfolioView.self)))], required: ["items"]))])

    static let create = Endpoint(
        .post, base, access: write, summary: "Create a portfolio owned by the caller.",
        body: .json(.ref(PortfolioInputSchema.self)),
        responses: [.json(.created, "Created; Location names it.", PortfolioView.self, headers: ["Location": "The portfolio's URL."])])

    static let get = Endpoint(
        .get, base + "/{id}", access: read, summary: "One portfolio.", parameters: [id],
        responses: [.json(.ok, "The portfolio.", PortfolioView.self)], problems: [.notFound])

    static let update = Endpoint(
        .patch, base + "/{id}", access: write, summary: "Rename a portfolio or change its base currency.", parameters: [id],
        body: .json(.ref(PortfolioInputSchema.self)),
        responses: [.json(.ok, "The portfolio.", PortfolioView.self)], problems: [.notFound])

    static let delete = Endpoint(
        .delete, base + "/{id}", access: write, summary: "Delete a portfolio and its ledger.", parameters: [id],
        responses: [.empty(.noContent, "Deleted.")], problems: [.notFound])

    static let listTransactions = Endpoint(
        .get, base + "/{id}/transactions", access: read,
        summary: "Ledger rows in ledger order; JSON pages, or the whole selection as Bourse CSV with Accept text/csv.",
        parameters: [
            id, .query("symbol", .string), .query("type", .string(TransactionType.self)), .query("from", .date), .query("to", .date),
            .query("limit", .integer(minimum: 1, maximum: 10_000, default: 1000)), .query("offset", .integer(minimum: 0, default: 0)),
        ],
        responses: [Endpoint.Answer(.ok, "The rows.", content: [
            .init(mediaType: "application/json", schema: .object([
                .init("items", .array(.ref(TransactionView.self))), .init("total", .integer),
                .init("limit", .integer), .init("offset", .integer),
            ], required: ["items", "total", "limit", "offset"])),
            .init(mediaType: "text/csv", schema: .string(description: "date,type,symbol,quantity,price,fee,amount,currency[,note]")),
        ])],
        problems: [.notFound])

    static let record = Endpoint(
        .post, base + "/{id}/transactions", access: write,
        summary: "Record one transaction or an array of them, all or nothing; the whole ledger must still validate.",
        description: """
            A refused row is named by its JSON pointer (`/2/quantity` in an array, `/quantity` for one object). \
            Symbols other than CASH must be known to the data service. Publishes portfolio.transaction.recorded.
            """,
        parameters: [id],
        body: .json(.oneOf([.ref(TransactionInputSchema.self), .array(.ref(TransactionInputSchema.self), minItems: 1, maxItems: 10_000)])),
        responses: [.json(.created, "The stored rows.", .object([
            .init("items", .array(.ref(TransactionView.self))), .init("count", .integer),
        ], required: ["items", "count"]))],
        problems: [.notFound, .badGateway, .serviceUnavailable, .gatewayTimeout])

    static let updateTransaction = Endpoint(
        .patch, base + "/{id}/transactions/{tx}", access: write,
        summary: "Change fields of one row; the whole ledger must still validate.", parameters: [id, tx],
        body: .json(.ref(TransactionInputSchema.self)),
        responses: [.json(.ok, "The row.", TransactionView.self)],
        problems: [.notFound, .badGateway, .serviceUnavailable, .gatewayTimeout])

    static let deleteTransaction = Endpoint(
        .delete, base + "/{id}/transactions/{tx}", access: write,
        summary: "Delete one row; refused (422) when a later row then no longer validates.", parameters: [id, tx],
        responses: [.empty(.noContent, "Deleted.")], problems: [.notFound, .unprocessableContent])

    static let importCSV = Endpoint(
        .post, base + "/{id}/import", access: write,
        summary: "Import a CSV ledger (Bourse or Ghostfolio layout, or a mapping); a file with any bad row stores nothing.",
        description: """
            Each row gets a fingerprint (its normalized fields and its occurrence among identical rows of the file), \
            unique per portfolio: importing the same file again stores nothing, while identical rows within one file \
            are all kept. A refused file answers 422 with every bad row in `rows` ({line, column, reason}) and `errors`.
            """,
        parameters: [
            id, .query("mapping", .string(description: #"JSON object of field → header, e.g. {"date":"Trade Date",...}; default: the saved mapping when the header has its columns, else the layout the header shows"#)),
            .query("dry_run", .boolean(default: false), "Answer what would be stored without storing."),
        ],
        body: .csv("The ledger file."),
        responses: [.json(.ok, "Counts; with dry_run the rows that would be stored.", .ref(ImportResultSchema.self))],
        problems: [.notFound, .badGateway, .serviceUnavailable, .gatewayTimeout])

    static let getMapping = Endpoint(
        .get, base + "/{id}/mapping", access: read, summary: "The saved CSV column mapping (empty when none).", parameters: [id],
        responses: [.json(.ok, "Field → header name.", .map(.string))], problems: [.notFound])

    static let putMapping = Endpoint(
        .put, base + "/{id}/mapping", access: write, summary: "Save a CSV column mapping for later imports.", parameters: [id],
        body: .json(.map(.string, description: "field (date, type, symbol, quantity, price, fee, amount, currency, note) → the file's header name")),
        responses: [.json(.ok, "The saved mapping.", .map(.string))], problems: [.notFound])

    static let positions = Endpoint(
        .get, base + "/{id}/positions", access: read, summary: "Positions, cash and P&L on a day, valued at closes.",
        parameters: [id, date, method], responses: [.json(.ok, "Holdings.", .ref(PositionsSchema.self))], problems: priced)

    static let lots = Endpoint(
        .get, base + "/{id}/lots", access: read, summary: "Open lots on a day.",
        parameters: [id, .query("symbol", .string), date, method],
        responses: [.json(.ok, "Lots, oldest first per symbol.", .object([
            .init("date", .date), .init("lots", .array(.ref(LotSchema.self))),
        ], required: ["date", "lots"]))],
        problems: [.notFound, .unprocessableContent])

    static let performance = Endpoint(
        .get, base + "/{id}/performance", access: read,
        summary: "Performance over a range: value, flows, TWR, XIRR, drawdown, risk, P&L, income and costs, by year.",
        parameters: [
            id, .query("from", .date), .query("to", .date),
            .query("range", .string(pattern: "^(1d|wtd|mtd|ytd|1y|5y|max|[0-9]{4})$", default: "max")),
            .query("series", .string(enum: ["daily"]), "Add the daily value and TWR index."),
            .query("benchmark", .string, "A symbol: its return over the same days, alpha, beta and tracking error."),
            .query("risk_free", .number(minimum: -0.5, maximum: 1, default: 0), "Annual risk-free rate for the Sharpe ratio."),
            method,
        ],
        responses: [.json(.ok, "The summary.", .ref(PerformanceSchema.self))], problems: priced)

    static let allocation = Endpoint(
        .get, base + "/{id}/allocation", access: read, summary: "Value and weight per symbol, asset class, sector or currency.",
        parameters: [id, .query("by", .string(enum: ["symbol", "asset_class", "sector", "currency", "country"], default: "symbol")), date, method],
        responses: [.json(.ok, "Buckets, largest first.", .ref(AllocationSchema.self))], problems: priced)

    static let getTargets = Endpoint(
        .get, base + "/{id}/targets", access: read, summary: "Target weights (per symbol and cash).", parameters: [id],
        responses: [.json(.ok, "The targets.", Targets.self)], problems: [.notFound])

    static let putTargets = Endpoint(
        .put, base + "/{id}/targets", access: write, summary: "Set target weights; with cash they must sum to exactly 1.",
        parameters: [id], body: .json(.ref(Targets.self)),
        responses: [.json(.ok, "The targets.", Targets.self)], problems: [.notFound])

    static let rebalance = Endpoint(
        .get, base + "/{id}/rebalance", access: read, summary: "Orders that bring today's holdings closest to the targets.",
        parameters: [
            id, .query("whole_shares", .boolean(default: true)), .query("fee", .number(minimum: 0, default: 0), "Fixed fee per traded symbol."),
            .query("min_trade", .number(minimum: 0, default: 0), "Smallest value a traded symbol moves."),
            .query("cash_reserve", .number(minimum: 0, default: 0), "Cash kept at least."),
            .query("mode", .string(enum: ["full", "buy_only"], default: "full")), method,
        ],
        responses: [.json(.ok, "The plan.", .ref(RebalanceSchema.self))], problems: priced)

    static let xray = Endpoint(
        .get, base + "/{id}/xray", access: read, summary: "Rule checks (concentration, fees, cash, drawdown, diversification) with their figures.",
        parameters: [id, method], responses: [.json(.ok, "The rules.", .ref(XRaySchema.self))], problems: priced)

    static let getXRaySettings = Endpoint(
        .get, base + "/{id}/xray/settings", access: read, summary: "The X-ray rules' switches and thresholds.", parameters: [id],
        responses: [.json(.ok, "Settings.", XRaySettings.self)], problems: [.notFound])

    static let putXRaySettings = Endpoint(
        .put, base + "/{id}/xray/settings", access: write, summary: "Switch X-ray rules on or off and set their thresholds.",
        parameters: [id], body: .json(.ref(XRaySettings.self)),
        responses: [.json(.ok, "Settings (defaults filled in).", XRaySettings.self)], problems: [.notFound])

    static let all: [Endpoint] = [
        list, create, get, update, delete, listTransactions, record, updateTransaction, deleteTransaction, importCSV,
        getMapping, putMapping, positions, lots, performance, allocation, getTargets, putTargets, rebalance, xray,
        getXRaySettings, putXRaySettings,
    ]
}

/// The `method` query parameter's values.
enum CostMethodName: String, CaseIterable, Sendable {
    case fifo, average

    var method: CostMethod { self == .fifo ? .fifo : .averageCost }
}

extension JSONSchema {
    /// An exact decimal: a JSON number (written exactly), or in inputs a string holding one.
    static var decimal: JSONSchema { .number }
    static var decimalInput: JSONSchema { .oneOf([.number, .string(pattern: #"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$"#)]) }
}

extension PortfolioView: ContractSchema {
    static let contractSchema = SchemaComponent("Portfolio", .object([
        .init("id", .string), .init("name", .string), .init("base_currency", .string(pattern: "^[A-Z]{3}$")),
        .init("owner", .string), .init("created_at", .dateTime), .init("updated_at", .dateTime),
    ], required: ["id", "name", "base_currency", "owner", "created_at", "updated_at"]))
}

enum PortfolioInputSchema: ContractSchema {
    static let contractSchema = SchemaComponent("PortfolioInput", .object([
        .init("name", .string(minLength: 1, maxLength: 200)),
        .init("base_currency", .string(pattern: "^[A-Za-z]{3}$", description: "ISO 4217 code; default USD.")),
    ]))
}

extension TransactionView: ContractSchema {
    static let contractSchema = SchemaComponent("Transaction", .object([
        .init("id", .string), .init("date", .date), .init("type", .string(TransactionType.self)), .init("symbol", .string),
        .init("quantity", .decimal), .init("price", .decimal), .init("fee", .decimal),
        .init("amount", .decimal.described("The signed cash effect as recorded; absent when not recorded.")),
        .init("currency", .string(pattern: "^[A-Z]{3}$")), .init("note", .string), .init("imported", .boolean),
    ], required: ["id", "date", "type", "symbol", "quantity", "price", "fee", "currency", "note", "imported"]))
}

enum TransactionInputSchema: ContractSchema {
    static let contractSchema = SchemaComponent("TransactionInput", .object([
        .init("date", .date), .init("type", .string(description: "BUY, SELL, DIVIDEND, INTEREST, FEE, TAX, DEPOSIT, WITHDRAWAL, SPLIT, TRANSFER_IN, TRANSFER_OUT")),
        .init("symbol", .string(description: "CASH for the cash account, else a symbol the data service knows")),
        .init("quantity", .decimalInput), .init("price", .decimalInput), .init("fee", .decimalInput),
        .init("amount", JSONSchema.decimalInput.orNull), .init("currency", .string(description: "ISO 4217; default: the portfolio's base currency")),
        .init("note", .string(maxLength: 1000)),
    ], description: "New rows need date, type and symbol; a PATCH names only the fields it changes."))
}

enum ImportResultSchema: ContractSchema {
    static let contractSchema = SchemaComponent("ImportResult", .object([
        .init("rows", .integer), .init("stored", .integer), .init("duplicates", .integer), .init("dry_run", .boolean),
        .init("layout", .string(enum: ["bourse", "ghostfolio", "mapping"])),
        .init("items", .array(.ref(TransactionView.self), description: "dry_run only: the rows that would be stored (ids empty)")),
    ], required: ["rows", "stored", "duplicates", "dry_run", "layout"]))
}

enum LotSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Lot", .object([
        .init("symbol", .string), .init("acquired", .date), .init("quantity", .decimal), .init("cost", .decimal),
    ], required: ["symbol", "acquired", "quantity", "cost"]))
}

enum PositionsSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Positions", .object([
        .init("date", .date), .init("base_currency", .string), .init("value", .decimal), .init("cash", .decimal),
        .init("cash_weight", .number), .init("net_contributions", .decimal), .init("realized", .decimal), .init("unrealized", .decimal),
        .init("dividends", .decimal), .init("interest", .decimal), .init("fees", .decimal), .init("taxes", .decimal),
        .init("positions", .array(.object([
            .init("symbol", .string), .init("quantity", .decimal), .init("cost_basis", .decimal),
            .init("close", JSONSchema.decimal.orNull), .init("close_date", JSONSchema.date.orNull),
            .init("market_value", .decimal), .init("realized", .decimal), .init("unrealized", .decimal),
            .init("dividends", .decimal), .init("weight", .number),
            .init("currency", JSONSchema.string.described(
                "multi-currency portfolios: the currency of the position's rows and of `close`; the other money figures are in the base currency")),
            .init("fx_rate", JSONSchema.decimal.described("multi-currency portfolios: base units per unit of `currency` used for market_value, cost_basis and unrealized (the day's rate or the last earlier one)")),
        ], required: ["symbol", "quantity", "cost_basis", "market_value", "realized", "unrealized", "dividends", "weight"]))),
        .init("fx_gain", JSONSchema.decimal.described(
            "gain from exchange-rate moves on each currency's cash and cost basis since it came in (0 in one currency): "
                + "value − net_contributions = realized + unrealized + dividends + interest − fees − taxes + transferred-out gain + fx_gain")),
        .init("cash_by_currency", JSONSchema.map(.decimal, description: "multi-currency portfolios: each currency's cash balance in that currency; `cash` is their sum at the day's rates")),
        .init("warnings", .array(.string, description: "closes or exchange rates missing on a day they were needed, replaced by the last earlier one")),
    ], required: ["date", "value", "cash", "positions", "warnings"]))
}

enum PerformanceSchema: ContractSchema {
    static let number = JSONSchema.number.orNull
    static let contractSchema = SchemaComponent("Performance", .object([
        .init("from", .date), .init("to", .date), .init("value_start", .decimal), .init("value_end", .decimal),
        .init("net_contributions", .decimal), .init("twr", .number), .init("twr_annualized", number), .init("xirr", number),
        .init("max_drawdown", .object([
            .init("depth", .number), .init("peak", JSONSchema.date.orNull), .init("trough", JSONSchema.date.orNull),
            .init("recovery", JSONSchema.date.orNull),
        ], required: ["depth"])),
        .init("volatility", number), .init("sharpe", number),
        .init("realized_pnl", .decimal), .init("unrealized_pnl", .decimal), .init("unrealized_change", .decimal),
        .init("transferred_out_gain", .decimal), .init("dividends", .decimal), .init("interest", .decimal),
        .init("fees", .decimal), .init("taxes", .decimal), .init("trade_fees", .decimal),
        .init("by_year", .array(.object([
            .init("year", .integer), .init("twr", .number), .init("xirr", number), .init("net_contributions", .decimal),
            .init("income", .decimal), .init("value_end", .decimal),
        ], required: ["year", "twr", "net_contributions", "income", "value_end"]))),
        .init("series", .array(.object([.init("date", .date), .init("value", .number), .init("twr_index", .number)],
                                       required: ["date", "value", "twr_index"]))),
        .init("benchmark", .object([
            .init("symbol", .string), .init("return", .number), .init("active_return", .number), .init("alpha", number),
            .init("beta", number), .init("tracking_error", number), .init("index", .array(.number)),
        ], required: ["symbol", "return", "active_return"])),
        .init("twr_local", JSONSchema.number.described(
            "TWR in the base currency with each currency's rate held at its rate at the end of from − 1 (or on its first row, if later): the return without currency effect; equals twr in one currency")),
        .init("currency_effect", JSONSchema.number.described("(1 + twr) / (1 + twr_local) − 1; 0 in one currency")),
        .init("fx_gain", JSONSchema.decimal.described("change of fx_gain (see Positions) over the range; a term of the P&L identity")),
        .init("warnings", .array(.string, description: "closes or exchange rates missing on a day they were needed, replaced by the last earlier one")),
    ], required: ["from", "to", "value_start", "value_end", "net_contributions", "twr", "max_drawdown", "by_year", "warnings"]))
}

enum AllocationSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Allocation", .object([
        .init("by", .string), .init("date", .date), .init("value", .decimal),
        .init("buckets", .array(.object([.init("key", .string), .init("value", .decimal), .init("weight", .number)],
                                        required: ["key", "value", "weight"]))),
        .init("warnings", .array(.string)),
    ], required: ["by", "date", "value", "buckets", "warnings"]))
}

extension Targets: ContractSchema {
    static let contractSchema = SchemaComponent("Targets", .object([
        .init("weights", .map(.number(minimum: 0, maximum: 1), description: "symbol → weight")),
        .init("cash", .number(minimum: 0, maximum: 1)),
    ], required: ["weights", "cash"]))
}

enum RebalanceSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Rebalance", .object([
        .init("date", .date),
        .init("trades", .array(.object([
            .init("symbol", .string), .init("side", .string(enum: ["buy", "sell"])), .init("quantity", .decimal),
            .init("price", .decimal), .init("value", .decimal),
        ], required: ["symbol", "side", "quantity", "price", "value"]))),
        .init("fees", .decimal), .init("cash_before", .decimal), .init("cash_after", .decimal),
        .init("holdings_after", .map(.decimal)), .init("weights_after", .map(.number)), .init("cash_weight_after", .number),
        .init("objective", .number), .init("warnings", .array(.string)),
    ], required: ["date", "trades", "fees", "cash_after", "warnings"]))
}

enum XRaySchema: ContractSchema {
    static let contractSchema = SchemaComponent("XRay", .object([
        .init("date", .date),
        .init("rules", .array(.object([
            .init("name", .string), .init("description", .string), .init("enabled", .boolean), .init("pass", JSONSchema.boolean.orNull),
            .init("value", JSONSchema.number.orNull), .init("threshold", JSONSchema.number.orNull),
            .init("min", JSONSchema.number.orNull), .init("max", JSONSchema.number.orNull),
            .init("subject", JSONSchema.string.orNull),
        ], required: ["name", "enabled"]))),
        .init("passed", .integer), .init("failed", .integer), .init("warnings", .array(.string)),
    ], required: ["date", "rules", "passed", "failed", "warnings"]))
}

extension XRaySettings: ContractSchema {
    static let contractSchema = SchemaComponent("XRaySettings", .object([
        .init("rules", .map(.object([
            .init("enabled", .boolean), .init("threshold", .number), .init("min", .number), .init("max", .number),
        ], required: ["enabled"]), description: "largest_position, largest_sector, largest_currency, fee_ratio, cash_share, max_drawdown, positions")),
    ], required: ["rules"]))
}
