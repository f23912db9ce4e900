import Foundation
import Hummingbird
import Quant
import ServiceKit

/// `/api/v1/strategy/strategies` and `/builtins`: the caller's strategies, their signals and paper accounts.
struct StrategyRoutes: Sendable {
    let store: StrategyStore
    let signals: SignalStore
    let bars: BarsClient

    func add(to router: ServiceRouter) {
        router.on(StrategyContract.builtins, use: builtins)
        router.on(StrategyContract.list, use: list)
        router.on(StrategyContract.create, use: create)
        router.on(StrategyContract.get, use: get)
        router.on(StrategyContract.update, use: update)
        router.on(StrategyContract.delete, use: delete)
        router.on(StrategyContract.signals, use: listSignals)
        router.on(StrategyContract.paper, use: paper)
    }

    // MARK: ownership

    static func caller(_ context: ServiceRequestContext) throws -> Principal { try context.requireUser("Strategies belong to users") }

    /// The strategy `{id}` if the caller owns it (or, for reads, is an admin); 404 otherwise, so another user's
    /// strategy looks exactly like one that does not exist.
    static func owned(_ store: StrategyStore, _ id: String, _ principal: Principal, write: Bool) async throws -> StrategyRecord {
        guard let record = try await store.find(id), record.owner == principal.subject || (!write && principal.has(scope: Scope.admin)) else {
            throw Problem.notFound("No strategy \(id).")
        }
        return record
    }

    // MARK: routes

    @Sendable func builtins(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        try JSONResponse(encoding: ["items": StrategyFactory.catalogue])
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try Self.caller(context)
        return try JSONResponse(encoding: ["items": try await store.list(owner: principal.subject).map(\.view)])
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try Self.caller(context)
        let input = try await request.decodeJSON(as: StrategyInput.self, context: context)
        let record = try await Self.resolve(input, onto: nil, principal: principal, bars: bars, deadline: context.deadline)
        try await store.create(record)
        var response = try JSONResponse(encoding: record.view, status: .created).response(from: request, context: context)
        response.headers[.location] = "\(StrategyContract.strategies)/\(record.id)"
        return response
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try Self.caller(context)
        return try JSONResponse(encoding: try await Self.owned(store, try context.parameters.require("id"), principal, write: false).view)
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try Self.caller(context)
        let current = try await Self.owned(store, try context.parameters.require("id"), principal, write: true)
        let input = try await request.decodeJSON(as: StrategyInput.self, context: context)
        let record = try await Self.resolve(input, onto: current, principal: principal, bars: bars, deadline: context.deadline)
        let reset = record.live != current.live || record.definition != current.definition || record.paper != current.paper
        try await store.update(record, resetPaper: reset)
        return try JSONResponse(encoding: try await store.find(record.id)?.view ?? record.view)
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try Self.caller(context)
        let record = try await Self.owned(store, try context.parameters.require("id"), principal, write: true)
        try await store.delete(record.id)
        return Response(status: .noContent)
    }

    @Sendable func listSignals(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try Self.caller(context)
        let q = QueryReader.collecting(request)
        let limit = try q.int("limit", in: 1...1000) ?? 100, offset = try q.int("offset", in: 0...Int(Int32.max)) ?? 0
        try q.check()
        let record = try await Self.owned(store, try context.parameters.require("id"), principal, write: false)
        let page = try await signals.list(strategyID: record.id, limit: limit, offset: offset)
        return try JSONResponse(encoding: SignalPage(items: page.items, total: page.total))
    }

    @Sendable func paper(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try Self.caller(context)
        let record = try await Self.owned(store, try context.parameters.require("id"), principal, write: false)
        let capital = record.paper?.capital ?? StrategyFactory.defaultCapital
        let account = try await signals.paper(record.id) ?? PaperAccount.empty(strategyID: record.id, capital: capital)
        return try JSONResponse(encoding: account)
    }

    // MARK: validation

    /// Merges `input` onto `current` (nil: a new strategy) and validates the result: every problem at once, each
    /// named by its JSON pointer; symbols must be known to `data` (asked as the caller).
    static func resolve(_ input: StrategyInput, onto current: StrategyRecord?, principal: Principal, bars: BarsClient,
                        deadline: ContinuousClock.Instant?) async throws -> StrategyRecord {
        var errors: [FieldError] = []
        let name = input.name?.trimmingCharacters(in: .whitespaces) ?? current?.name
        if let name, name.isEmpty || name.count > 200 { errors.append(FieldError(field: "/name", reason: "must be 1-200 characters")) }
        if name == nil { errors.append(FieldError(field: "/name", reason: "is required")) }
        let type = input.type ?? current?.definition.type
        if type == nil { errors.append(FieldError(field: "/type", reason: "is required: builtin or rules")) }
        let symbols = (input.symbols ?? current?.definition.symbols ?? []).map { $0.uppercased() }
        errors += SymbolRules.problems(symbols, pointer: "/symbols", required: true)
        var definition = StrategyDefinition(type: type ?? .builtin, builtin: nil, parameters: nil, rules: nil, symbols: symbols, weights: nil)
        let sameType = type == current?.definition.type
        switch type {
        case .builtin?:
            definition.builtin = input.builtin ?? (sameType ? current?.definition.builtin : nil)
            definition.parameters = input.parameters ?? (sameType && input.builtin == nil ? current?.definition.parameters : nil)
            definition.weights = input.weights ?? (sameType ? current?.definition.weights : nil)
            if input.rules != nil { errors.append(FieldError(field: "/rules", reason: "belongs to type rules, not builtin")) }
        case .rules?:
            definition.rules = input.rules ?? (sameType ? current?.definition.rules : nil)
            if input.builtin != nil { errors.append(FieldError(field: "/builtin", reason: "belongs to type builtin, not rules")) }
            if input.parameters != nil { errors.append(FieldError(field: "/parameters", reason: "belongs to type builtin, not rules")) }
        case nil: break
        }
        if type != nil { errors += StrategyFactory.problems(definition) }
        let paper = input.paper ?? current?.paper
        if let paper { errors += StrategyFactory.problems(paper, pointer: "/paper", needsRange: false) }
        let live = input.live ?? current?.live ?? false
        guard errors.isEmpty, let name else { throw Problem.validation("The strategy is invalid.", errors: errors) }
        try await SymbolRules.requireKnown(symbols, pointer: "/symbols", acting: principal, bars: bars, deadline: deadline)
        let now = Millis.now()
        let wentLive = live && !(current?.live ?? false)
        // The paper account trades from `paper.from` when given (a replay of the recent past), else from the day
        // the strategy goes live; a change of `paper` restarts it (and the account) from that day.
        let restart = wentLive || (live && input.paper != nil && input.paper != current?.paper)
        let liveSince = live ? (restart ? (paper?.from ?? LocalDate.today).description : current?.liveSince) : nil
        return StrategyRecord(id: current?.id ?? UUID().uuidString.lowercased(), owner: current?.owner ?? principal.subject, name: name,
                              definition: definition, paper: paper, live: live, liveSince: liveSince, createdAt: current?.createdAt ?? now,
                              updatedAt: now)
    }
}

/// One page of signals.
struct SignalPage: Encodable, Sendable {
    var items: [SignalView]
    var total: Int
}

/// Symbol syntax, and whether `data` knows them.
enum SymbolRules {
    static func problems(_ symbols: [String], pointer: String, required: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if required && symbols.isEmpty { errors.append(FieldError(field: pointer, reason: "needs at least one symbol")) }
        if symbols.count > 500 { errors.append(FieldError(field: pointer, reason: "at most 500 symbols")) }
        var seen = Set<String>()
        for (i, s) in symbols.enumerated() {
            if (try? /^[A-Z0-9][A-Z0-9.\-=^_]{0,31}$/.wholeMatch(in: s)) == nil {
                errors.append(FieldError(field: "\(pointer)/\(i)", reason: "is not a symbol (letters, digits and . - = ^ _, at most 32)"))
            } else if !seen.insert(s).inserted {
                errors.append(FieldError(field: "\(pointer)/\(i)", reason: "\(s) is listed twice"))
            }
        }
        return errors
    }

    /// Throws 422 naming each symbol `data` does not know.
    static func requireKnown(_ symbols: [String], pointer: String, acting principal: Principal, bars: BarsClient,
                             deadline: ContinuousClock.Instant?) async throws {
        let known = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for (i, s) in symbols.enumerated() { group.addTask { (i, try await bars.knows(s, acting: principal, deadline: deadline)) } }
            var out: [Int: Bool] = [:]
            for try await (i, k) in group { out[i] = k }
            return out
        }
        let unknown = symbols.indices.filter { known[$0] == false }
        guard unknown.isEmpty else {
            throw Problem.validation("Some symbols are unknown to the data service.",
                                     errors: unknown.map { FieldError(field: "\(pointer)/\($0)", reason: "\(symbols[$0]) has no instrument in the data service") })
        }
    }
}

extension LocalDate {
    /// Today in UTC.
    static var today: LocalDate { LocalDate(daysSinceEpoch: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down))) }
}
