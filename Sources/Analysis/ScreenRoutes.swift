import Foundation
import Hummingbird
import Quant
import QuantExpression
import SQLKit
import ServiceKit

/// A screen as asked and as saved.
struct ScreenInput: Codable, Sendable, Equatable {
    var expression: String
    var symbols: [String]?
    var values: [String]?
    var sort: String?
    var order: String?
    var limit: Int?
}

/// Screens: an expression over each symbol's bars and per-symbol figures, evaluated on its latest bar.
///
/// Per-symbol figures, state variables of the expression (NaN when not available, so comparisons with them are
/// false): valuation and profitability ratios of the newest annual statements at the latest close (`pe`, `pb`,
/// `ps`, `roe`, `roa`, `net_margin`, `debt_to_equity`, `dividend_yield`), and from the bars `return_1y` (the
/// close 252 bars back to the latest) and `volatility_1y` (annualised, of the last 252 daily returns).
/// Fundamentals are fetched only when the expression or a value uses one of them.
struct ScreenRoutes: Sendable {
    let kit: AnalysisKit
    let store: ScreenStore
    var market: MarketSource { kit.market }

    static let fundamentals = ["pe", "pb", "ps", "roe", "roa", "net_margin", "debt_to_equity", "dividend_yield"]
    static let barFigures = ["return_1y", "volatility_1y"]
    static let state = fundamentals + barFigures

    func add(to router: ServiceRouter) {
        router.on(AnalysisContract.screen, use: screen)
        router.on(AnalysisContract.listScreens, use: list)
        router.on(AnalysisContract.createScreen, use: create)
        router.on(AnalysisContract.getScreen, use: get)
        router.on(AnalysisContract.updateScreen, use: update)
        router.on(AnalysisContract.deleteScreen, use: delete)
        router.on(AnalysisContract.runScreen, use: run)
    }

    /// A checked screen: compiled expressions, and whether fundamentals are needed.
    struct Plan: Sendable {
        var input: ScreenInput
        var filter: CompiledExpression
        var values: [(source: String, compiled: CompiledExpression)]
        var needsFundamentals: Bool
        var sortIndex: Int?
        var descending: Bool
        var limit: Int
    }

    /// Checks every part of a screen; every problem named by its JSON pointer (`pointer` prefixes them).
    static func plan(_ input: ScreenInput, pointer p: String = "") throws -> Plan {
        var errors: [FieldError] = []
        let schema = ExpressionSchema(state: state), light = ExpressionSchema(state: barFigures)
        func compile(_ source: String, _ type: ExpressionType, _ field: String) -> (CompiledExpression, Bool)? {
            do {
                let parsed = try Expression.parse(source)
                if let plain = try? CompiledExpression(parsed, schema: light, expecting: type) { return (plain, false) }
                return (try CompiledExpression(parsed, schema: schema, expecting: type), true)
            } catch {
                errors.append(FieldError(field: "\(p)\(field)", reason: error.description))
                return nil
            }
        }
        let filter = compile(input.expression, .boolean, "/expression")
        let values = (input.values ?? []).enumerated().compactMap { i, source in compile(source, .number, "/values/\(i)").map { (source, $0) } }
        if let symbols = input.symbols, symbols.isEmpty || symbols.count > 5000 { errors.append(FieldError(field: "\(p)/symbols", reason: "needs 1 to 5000 symbols")) }
        if (input.values ?? []).count > 10 { errors.append(FieldError(field: "\(p)/values", reason: "at most 10 values")) }
        var sortIndex: Int? = (input.values ?? []).isEmpty ? nil : 0
        if let sort = input.sort {
            sortIndex = input.values?.firstIndex(of: sort)
            if sortIndex == nil { errors.append(FieldError(field: "\(p)/sort", reason: "must be one of values")) }
        }
        if let order = input.order, order != "asc", order != "desc" { errors.append(FieldError(field: "\(p)/order", reason: "must be asc or desc")) }
        if let limit = input.limit, !(1...5000).contains(limit) { errors.append(FieldError(field: "\(p)/limit", reason: "must lie in 1...5000")) }
        guard errors.isEmpty, let filter else { throw Problem.validation("The screen is invalid.", errors: errors) }
        // Every compiled expression must take the same state layout: recompile light ones with the full schema.
        func full(_ c: (CompiledExpression, Bool)) throws -> CompiledExpression {
            c.1 ? c.0 : try CompiledExpression(c.0.expression, schema: schema, expecting: c.0.type)
        }
        return Plan(input: input, filter: try full(filter), values: try values.map { ($0.0, try full($0.1)) },
                    needsFundamentals: filter.1 || values.contains { $0.1.1 }, sortIndex: sortIndex,
                    descending: (input.order ?? "desc") == "desc", limit: input.limit ?? 100)
    }

    /// One symbol's evaluation on its latest bar.
    struct Row: Codable, Sendable {
        var symbol: String
        var date: String
        var close: Double
        var matched: Bool
        var values: [Double?]
    }

    /// A symbol the screen could not evaluate, and why (an `Error` so it can be a `Result`'s failure).
    struct Skip: Codable, Sendable, Error { var symbol: String; var reason: String }

    /// The per-symbol figures (state values, in `state` order).
    static func figures(_ bars: OHLCV, ratios: [String: Double?]?) -> [Double] {
        let c = bars.close, n = c.count
        var ret = Double.nan, vol = Double.nan
        if n > 252, c[n - 253] > 0 { ret = c[n - 1] / c[n - 253] - 1 }
        if n > 252, let returns = try? Metrics.simpleReturns(prices: Array(c[(n - 253)...])) {
            vol = (try? Metrics.annualVolatility(returns)).flatMap { $0 } ?? .nan
        }
        return fundamentals.map { ratios?[$0].flatMap { $0 } ?? .nan } + [ret, vol]
    }

    func evaluate(_ plan: Plan, symbol: String, caller: MarketSource.Caller) async throws -> Result<Row, Skip> {
        let cached: CachedBars
        do { cached = try await market.bars(symbol, caller) } catch let p as Problem where p.status == .notFound {
            return .failure(Skip(symbol: symbol, reason: "no bars in the data service"))
        }
        let key = "screen-row|\(symbol)|\(cached.version)|\(plan.input.expression)|\((plan.input.values ?? []).joined(separator: "\u{1}"))"
        if let hit = await market.cache.answer(key, kind: "screen"), let row = try? ServiceJSON.decoder().decode(Row.self, from: Data(hit.body)) {
            return .success(row)
        }
        var ratios: [String: Double?]?
        if plan.needsFundamentals {
            let periods = StatementMapping.periods(try await market.statements(symbol, period: "annual", caller))
            if let newest = periods.first {
                let view = StatementMapping.ratioViews([newest], bars: cached.bars, latest: true)[0]
                ratios = view.ratios
            }
        }
        let b = cached.bars, last = b.count - 1
        let state = Self.figures(b, ratios: ratios)
        let input = ExpressionInput(bars: b)
        let row: Row
        do {
            let filter = try PreparedExpression(plan.filter, input: input)
            let matched = filter.bool(at: last, state: state)
            let values: [Double?] = try plan.values.map { v in
                let x = try PreparedExpression(v.compiled, input: input).number(at: last, state: state)
                return x.isFinite ? x : nil
            }
            row = Row(symbol: symbol, date: b.dates[last], close: b.close[last], matched: matched, values: values)
        } catch {
            return .failure(Skip(symbol: symbol, reason: "\(error)"))
        }
        await market.cache.store(key, .init(body: Array(try ServiceJSON.encoder().encode(row)), contentType: "application/json", symbols: [symbol]))
        return .success(row)
    }

    struct Answer: Encodable {
        struct Item: Encodable { var symbol: String; var date: String; var close: Double; var values: [String: Double?] }
        var expression: String
        var evaluated: Int
        var matched: Int
        var items: [Item]
        var skipped: [Skip]
    }

    /// Runs a checked screen over its universe (eight symbols at a time).
    func run(_ plan: Plan, caller: MarketSource.Caller) async throws -> Answer {
        var universe = plan.input.symbols?.map { $0.uppercased() } ?? []
        if plan.input.symbols == nil { universe = try await market.instruments(caller).map(\.symbol) }
        universe = Array(NSOrderedSet(array: universe)).compactMap { $0 as? String }
        var rows: [Row] = [], skipped: [Skip] = []
        for start in stride(from: 0, to: universe.count, by: 64) {
            let chunk = Array(universe[start..<min(start + 64, universe.count)])
            let results = try await withThrowingTaskGroup(of: Result<Row, Skip>.self) { group in
                var out: [Result<Row, Skip>] = []
                var next = 0
                for _ in 0..<min(8, chunk.count) {
                    let s = chunk[next]; next += 1
                    group.addTask { try await evaluate(plan, symbol: s, caller: caller) }
                }
                while let r = try await group.next() {
                    out.append(r)
                    if next < chunk.count {
                        let s = chunk[next]; next += 1
                        group.addTask { try await evaluate(plan, symbol: s, caller: caller) }
                    }
                }
                return out
            }
            for r in results {
                switch r {
                case .success(let row): rows.append(row)
                case .failure(let skip): skipped.append(skip)
                }
            }
        }
        var matched = rows.filter(\.matched)
        if let k = plan.sortIndex {
            matched.sort { a, b in
                switch (a.values[k], b.values[k]) {
                case let (x?, y?): return x != y ? (plan.descending ? x > y : x < y) : a.symbol < b.symbol
                case (_?, nil): return true
                case (nil, _?): return false
                default: return a.symbol < b.symbol
                }
            }
        } else {
            matched.sort { $0.symbol < $1.symbol }
        }
        let names = plan.input.values ?? []
        let items = matched.prefix(plan.limit).map { row in
            Answer.Item(symbol: row.symbol, date: row.date, close: row.close,
                        values: Dictionary(uniqueKeysWithValues: zip(names, row.values)))
        }
        return Answer(expression: plan.input.expression, evaluated: rows.count, matched: matched.count, items: Array(items),
                      skipped: skipped.sorted { $0.symbol < $1.symbol })
    }

    @Sendable func screen(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: ScreenInput.self, context: context)
        return try JSONResponse(encoding: try await run(try Self.plan(input), caller: MarketSource.Caller(context)))
    }

    // MARK: saved screens

    static func caller(_ context: ServiceRequestContext) throws -> Principal { try context.requireUser("Saved screens belong to users") }

    func owned(_ context: ServiceRequestContext, write: Bool) async throws -> ScreenStore.Record {
        let principal = try Self.caller(context)
        let id = try context.parameters.require("id")
        guard let record = try await store.find(id), record.owner == principal.subject || (!write && principal.has(scope: Scope.admin)) else {
            throw Problem.notFound("No screen \(id).")
        }
        return record
    }

    struct SaveInput: Decodable {
        var name: String?
        var screen: ScreenInput?
    }

    static func name(_ name: String?, required: Bool) throws -> String? {
        let trimmed = name?.trimmingCharacters(in: .whitespaces)
        if let trimmed, trimmed.isEmpty || trimmed.count > 200 {
            throw Problem.validation("The screen is invalid.", errors: [FieldError(field: "/name", reason: "must be 1-200 characters")])
        }
        if required && trimmed == nil { throw Problem.validation("The screen is invalid.", errors: [FieldError(field: "/name", reason: "is required")]) }
        return trimmed
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try AnalysisKit.conditional(["items": try await store.list(owner: try Self.caller(context).subject).map(\.view)], request, context)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try Self.caller(context)
        let input = try await request.decodeJSON(as: SaveInput.self, context: context)
        let name = try Self.name(input.name, required: true)!
        guard let screen = input.screen else { throw Problem.validation("The screen is invalid.", errors: [FieldError(field: "/screen", reason: "is required")]) }
        _ = try Self.plan(screen, pointer: "/screen")
        let record = try await store.create(owner: principal.subject, name: name, screen: screen)
        var response = try JSONResponse(encoding: record.view, status: .created).response(from: request, context: context)
        response.headers[.location] = "\(AnalysisContract.root)/screens/\(record.id)"
        return response
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try AnalysisKit.conditional(try await owned(context, write: false).view, request, context)
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        var record = try await owned(context, write: true)
        let input = try await request.decodeJSON(as: SaveInput.self, context: context)
        if let name = try Self.name(input.name, required: false) { record.name = name }
        if let screen = input.screen {
            _ = try Self.plan(screen, pointer: "/screen")
            record.screen = screen
        }
        try await store.update(record)
        return try JSONResponse(encoding: try await store.find(record.id)?.view ?? record.view)
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let record = try await owned(context, write: true)
        try await store.delete(record.id)
        return Response(status: .noContent)
    }

    @Sendable func run(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let record = try await owned(context, write: false)
        return try JSONResponse(encoding: try await run(try Self.plan(record.screen, pointer: "/screen"), caller: MarketSource.Caller(context)))
    }
}

/// Saved screens (`analysis_screens`): the one durable thing the service owns besides its caches.
struct ScreenStore: Sendable {
    let database: Database

    struct Record: Sendable {
        var id: String
        var owner: String
        var name: String
        var screen: ScreenInput
        var createdAt: Int64
        var updatedAt: Int64

        struct View: Encodable {
            var id: String
            var name: String
            var owner: String
            var screen: ScreenInput
            var createdAt: Date
            var updatedAt: Date
            enum CodingKeys: String, CodingKey {
                case id, name, owner, screen
                case createdAt = "created_at", updatedAt = "updated_at"
            }
        }

        var view: View {
            View(id: id, name: name, owner: owner, screen: screen, createdAt: Date(timeIntervalSince1970: Double(createdAt) / 1000),
                 updatedAt: Date(timeIntervalSince1970: Double(updatedAt) / 1000))
        }
    }

    private struct Row: Decodable {
        let id: String, owner: String, name: String, screen: String, created_at: Int64, updated_at: Int64
        func record() throws -> Record {
            Record(id: id, owner: owner, name: name, screen: try ServiceJSON.decoder().decode(ScreenInput.self, from: Data(screen.utf8)),
                   createdAt: created_at, updatedAt: updated_at)
        }
    }

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
    static func text(_ screen: ScreenInput) throws -> String { String(decoding: try ServiceJSON.encoder().encode(screen), as: UTF8.self) }

    func create(owner: String, name: String, screen: ScreenInput) async throws -> Record {
        let record = Record(id: UUID().uuidString.lowercased(), owner: owner, name: name, screen: screen, createdAt: Self.now(), updatedAt: Self.now())
        let text = try Self.text(screen)
        try await database.withSQL { sql in
            try await sql.raw("""
                INSERT INTO analysis_screens (id, owner, name, screen, created_at, updated_at)
                VALUES (\(bind: record.id), \(bind: owner), \(bind: name), \(bind: text), \(bind: record.createdAt), \(bind: record.updatedAt))
                """).run()
        }
        return record
    }

    func update(_ record: Record) async throws {
        let text = try Self.text(record.screen)
        try await database.withSQL { sql in
            try await sql.raw("""
                UPDATE analysis_screens SET name = \(bind: record.name), screen = \(bind: text), updated_at = \(bind: Self.now()) WHERE id = \(bind: record.id)
                """).run()
        }
    }

    func delete(_ id: String) async throws {
        try await database.withSQL { sql in try await sql.raw("DELETE FROM analysis_screens WHERE id = \(bind: id)").run() }
    }

    func find(_ id: String) async throws -> Record? {
        try await database.withSQL { sql in
            try await sql.raw("SELECT id, owner, name, screen, created_at, updated_at FROM analysis_screens WHERE id = \(bind: id)").first(decoding: Row.self)
        }?.record()
    }

    func list(owner: String) async throws -> [Record] {
        try await database.withSQL { sql in
            try await sql.raw("SELECT id, owner, name, screen, created_at, updated_at FROM analysis_screens WHERE owner = \(bind: owner) ORDER BY created_at, id")
                .all(decoding: Row.self)
        }.map { try $0.record() }
    }
}

/// The `analysis` service's schema: saved screens only (everything else is computed and cached in memory).
enum AnalysisMigrations {
    static let all: [Migration] = [
        Migration(1, "create saved screens", up: .init([
            """
            CREATE TABLE analysis_screens (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, screen TEXT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX analysis_screens_owner ON analysis_screens (owner, created_at)",
        ]), down: .init(["DROP TABLE analysis_screens"])),
    ]
}
