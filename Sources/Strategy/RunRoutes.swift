import Crypto
import Foundation
import Hummingbird
import Quant
import ServiceKit

/// `/api/v1/strategy/backtests` and `/optimizations`: queue, follow, cancel and read runs. A run is resolved and
/// validated when it is queued (strategy, parameters, symbols, settings), so a queued run only fails for reasons
/// that depend on the data (no bars in the range, …).
struct RunRoutes: Sendable {
    let strategies: StrategyStore
    let runs: RunStore
    let bars: BarsClient
    let wakeups: WakeSignal

    func add(to router: ServiceRouter) {
        router.on(StrategyContract.runBacktest, use: runBacktest)
        router.on(StrategyContract.listBacktests) { request, context in try await list(request, context, .backtest) }
        router.on(StrategyContract.getBacktest) { request, context in try await get(request, context, .backtest) }
        router.on(StrategyContract.cancelBacktest) { request, context in try await cancel(request, context, .backtest) }
        router.on(StrategyContract.deleteBacktest) { request, context in try await delete(request, context, .backtest) }
        router.on(StrategyContract.trades, use: trades)
        router.on(StrategyContract.fills, use: fills)
        router.on(StrategyContract.equity) { request, context in try await equity(request, context, .backtest) }
        router.on(StrategyContract.runOptimization, use: runOptimization)
        router.on(StrategyContract.listOptimizations) { request, context in try await list(request, context, .optimization) }
        router.on(StrategyContract.getOptimization) { request, context in try await get(request, context, .optimization) }
        router.on(StrategyContract.cancelOptimization) { request, context in try await cancel(request, context, .optimization) }
        router.on(StrategyContract.deleteOptimization) { request, context in try await delete(request, context, .optimization) }
        router.on(StrategyContract.heatmap, use: heatmap)
        router.on(StrategyContract.optimizationEquity) { request, context in try await equity(request, context, .optimization) }
    }

    /// SHA-256 of the canonical JSON (sorted keys) of a resolved job.
    static func hash(_ value: some Encodable) throws -> String {
        let encoder = ServiceJSON.encoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(SHA256.hash(data: try encoder.encode(value))).hexString
    }

    /// The strategy a run uses: a stored one the caller owns, or an inline definition (validated like a new one).
    func definition(id: String?, inline: StrategyInput?, principal: Principal, deadline: ContinuousClock.Instant?)
        async throws -> (definition: StrategyDefinition, strategyID: String?) {
        switch (id, inline) {
        case (let id?, nil):
            return (try await StrategyRoutes.owned(strategies, id, principal, write: false).definition, id)
        case (nil, var inline?):
            inline.name = inline.name ?? "inline"
            inline.live = false
            let record = try await StrategyRoutes.resolve(inline, onto: nil, principal: principal, bars: bars, deadline: deadline)
            return (record.definition, nil)
        default:
            throw Problem.validation("The run needs a strategy.", errors: [FieldError(field: "/strategy_id", reason: "give exactly one of strategy_id and strategy")])
        }
    }

    /// Applies a run's own `symbols` and `parameters` and checks the settings; unknown symbols are a 422.
    func specialise(_ definition: StrategyDefinition, symbols: [String]?, parameters: [String: Double]?, settings: RunSettings,
                    principal: Principal, deadline: ContinuousClock.Instant?, grid: Bool = false) async throws -> StrategyDefinition {
        var definition = definition
        var errors: [FieldError] = []
        if let symbols {
            definition.symbols = symbols.map { $0.uppercased() }
            errors += SymbolRules.problems(definition.symbols, pointer: "/symbols", required: true)
        }
        if let parameters {
            if definition.type != .builtin {
                errors.append(FieldError(field: "/parameters", reason: "only built-in strategies take parameters"))
            } else {
                definition.parameters = (definition.parameters ?? [:]).merging(parameters) { $1 }
            }
        }
        if errors.isEmpty && !grid { errors += StrategyFactory.problems(definition) }
        errors += StrategyFactory.problems(settings, pointer: "", needsRange: false)
        guard errors.isEmpty else { throw Problem.validation("The run is invalid.", errors: errors) }
        var check = symbols == nil ? [] : definition.symbols
        if let benchmark = settings.benchmark { check.append(benchmark.uppercased()) }
        if !check.isEmpty { try await SymbolRules.requireKnown(check, pointer: "/symbols", acting: principal, bars: bars, deadline: deadline) }
        return definition
    }

    func accepted(_ record: RunStore.Record, _ base: String, request: Request, context: ServiceRequestContext) throws -> Response {
        var response = try JSONResponse(encoding: try record.view(), status: .accepted).response(from: request, context: context)
        response.headers[.location] = "\(base)/\(record.id)"
        return response
    }

    @Sendable func runBacktest(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try StrategyRoutes.caller(context)
        let input = try await request.decodeJSON(as: BacktestInput.self, context: context)
        let (base, strategyID) = try await definition(id: input.strategyID, inline: input.strategy, principal: principal, deadline: context.deadline)
        let definition = try await specialise(base, symbols: input.symbols, parameters: input.parameters, settings: input.settings,
                                              principal: principal, deadline: context.deadline)
        var settings = input.settings
        settings.benchmark = settings.benchmark?.uppercased()
        let job = BacktestJob(definition: definition, settings: settings)
        let id = UUID().uuidString.lowercased()
        try await runs.create(id: id, owner: principal.subject, kind: .backtest, strategyID: strategyID, request: try StoredJSON.text(job),
                              definitionHash: try Self.hash(job))
        wakeups.signal()
        guard let record = try await runs.find(id) else { throw Problem.notFound("No backtest \(id).") }
        return try accepted(record, StrategyContract.backtests, request: request, context: context)
    }

    @Sendable func runOptimization(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try StrategyRoutes.caller(context)
        let input = try await request.decodeJSON(as: OptimizationInput.self, context: context)
        let (base, strategyID) = try await definition(id: input.strategyID, inline: input.strategy, principal: principal, deadline: context.deadline)
        let definition = try await specialise(base, symbols: input.symbols, parameters: nil, settings: input.settings, principal: principal,
                                              deadline: context.deadline, grid: true)
        var settings = input.settings
        settings.benchmark = settings.benchmark?.uppercased()
        let job = try Optimizer.resolve(input, definition: definition, settings: settings)
        let id = UUID().uuidString.lowercased()
        try await runs.create(id: id, owner: principal.subject, kind: .optimization, strategyID: strategyID, request: try StoredJSON.text(job),
                              definitionHash: try Self.hash(job))
        wakeups.signal()
        guard let record = try await runs.find(id) else { throw Problem.notFound("No optimization \(id).") }
        return try accepted(record, StrategyContract.optimizations, request: request, context: context)
    }

    /// The run `{id}` of `kind` if the caller owns it (admins may read any); 404 otherwise.
    func owned(_ context: ServiceRequestContext, _ kind: RunStore.Kind, write: Bool) async throws -> RunStore.Record {
        let principal = try StrategyRoutes.caller(context)
        let id = try context.parameters.require("id")
        guard let record = try await runs.find(id), record.kind == kind,
              record.owner == principal.subject || (!write && principal.has(scope: Scope.admin)) else {
            throw Problem.notFound("No \(kind.rawValue) \(id).")
        }
        return record
    }

    /// A finished run's stored part; 409 while the run has not succeeded.
    func part(_ record: RunStore.Record, _ name: String) async throws -> String {
        guard record.state == .succeeded else {
            throw Problem.conflict("The \(record.kind.rawValue) \(record.id) is \(record.state.rawValue): results exist once it has succeeded.")
        }
        guard let body = try await runs.part(record.id, name) else {
            throw Problem.notFound("The \(record.kind.rawValue) \(record.id) has no \(name) (walk-forward runs only).")
        }
        return body
    }

    func list(_ request: Request, _ context: ServiceRequestContext, _ kind: RunStore.Kind) async throws -> Response {
        let principal = try StrategyRoutes.caller(context)
        let q = QueryReader.collecting(request)
        let limit = try q.int("limit", in: 1...1000) ?? 100, offset = try q.int("offset", in: 0...Int(Int32.max)) ?? 0
        try q.check()
        let page = try await runs.list(owner: principal.subject, kind: kind, limit: limit, offset: offset)
        return try JSONResponse(encoding: RunPage(items: try page.items.map { try $0.view() }, total: page.total))
            .response(from: request, context: context)
    }

    func get(_ request: Request, _ context: ServiceRequestContext, _ kind: RunStore.Kind) async throws -> Response {
        try JSONResponse(encoding: try await owned(context, kind, write: false).view()).response(from: request, context: context)
    }

    func cancel(_ request: Request, _ context: ServiceRequestContext, _ kind: RunStore.Kind) async throws -> Response {
        let record = try await owned(context, kind, write: true)
        guard try await runs.cancel(record.id) else {
            throw Problem.conflict("The \(kind.rawValue) \(record.id) already ended (\(record.state.rawValue)).")
        }
        return try JSONResponse(encoding: try (try await runs.find(record.id) ?? record).view()).response(from: request, context: context)
    }

    func delete(_ request: Request, _ context: ServiceRequestContext, _ kind: RunStore.Kind) async throws -> Response {
        let record = try await owned(context, kind, write: true)
        _ = try await runs.cancel(record.id)
        try await runs.delete(record.id)
        return Response(status: .noContent)
    }

    /// Stored parts are the answer's JSON already; they are sent as stored.
    static func raw(_ json: String) -> Response {
        let body = ByteBuffer(string: json)
        return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: String(body.readableBytes)],
                        body: .init(byteBuffer: body))
    }

    @Sendable func trades(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        Self.raw(try await part(try await owned(context, .backtest, write: false), "trades"))
    }

    @Sendable func fills(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        Self.raw(try await part(try await owned(context, .backtest, write: false), "fills"))
    }

    @Sendable func heatmap(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        Self.raw(try await part(try await owned(context, .optimization, write: false), "results"))
    }

    func equity(_ request: Request, _ context: ServiceRequestContext, _ kind: RunStore.Kind) async throws -> Response {
        let body = try await part(try await owned(context, kind, write: false), "equity")
        guard (request.headers[.accept] ?? "").contains("text/csv") else { return Self.raw(body) }
        let series = try StoredJSON.decode(EquityView.self, body)
        var csv = "date,equity,cash,exposure\n"
        for p in series.items { csv += "\(p.date),\(p.equity),\(p.cash.map { "\($0)" } ?? ""),\(p.exposure.map { "\($0)" } ?? "")\n" }
        let buffer = ByteBuffer(string: csv)
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentLength: String(buffer.readableBytes)],
                        body: .init(byteBuffer: buffer))
    }
}

struct RunPage: Encodable, Sendable {
    var items: [RunView]
    var total: Int
}
