import Foundation
import Hummingbird
import Quant
import ServiceKit

/// `/api/v1/data/fundamentals/{symbol}` and `/api/v1/data/actions/{symbol}`: read (GET) and write (PUT, replacing
/// what the body names) a symbol's financial statements and corporate actions.
struct ReferenceRoutes {
    let repository: ReferenceStore

    func add(to router: ServiceRouter) {
        router.on(DataContract.statements, use: statements)
        router.on(DataContract.putStatements, use: putStatements)
        router.on(DataContract.actions, use: actions)
        router.on(DataContract.putActions, use: putActions)
    }

    struct StatementsBody: Codable {
        let symbol: String
        let statements: [ReferenceStore.Statement]
    }

    struct ActionsBody: Codable {
        let symbol: String
        let actions: [ReferenceStore.Action]
    }

    @Sendable func statements(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let symbol = try context.parameters.require("symbol").uppercased()
        let q = QueryReader.collecting(request)
        let statement = try q.string("statement", oneOf: ReferenceStore.Statement.kinds)
        let period = try q.string("period", oneOf: ReferenceStore.Statement.periods)
        try q.check()
        let found = try await repository.statements(symbol: symbol, statement: statement, period: period)
        return try JSONResponse(encoding: StatementsBody(symbol: symbol, statements: found))
    }

    @Sendable func putStatements(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let symbol = try context.parameters.require("symbol").uppercased()
        let body = try await request.decodeJSON(as: [ReferenceStore.Statement].self, context: context)
        var errors: [FieldError] = []
        var keys = Set<String>()
        for (i, s) in body.enumerated() {
            if !ReferenceStore.Statement.kinds.contains(s.statement) { errors.append(.init(field: "/\(i)/statement", reason: "must be income, balance or cashflow")) }
            if !ReferenceStore.Statement.periods.contains(s.period) { errors.append(.init(field: "/\(i)/period", reason: "must be annual or quarterly")) }
            if Resampler.daysSinceEpoch(s.periodEnd) == nil { errors.append(.init(field: "/\(i)/period_end", reason: "must be a date in YYYY-MM-DD form")) }
            if (try? Instrument.currencyPattern.wholeMatch(in: s.currency)) == nil { errors.append(.init(field: "/\(i)/currency", reason: "must be an ISO 4217 code")) }
            if s.items.isEmpty || s.items.count > 500 { errors.append(.init(field: "/\(i)/items", reason: "must hold 1 to 500 line items")) }
            for (name, value) in s.items where name.isEmpty || name.count > 100 || !value.isFinite {
                errors.append(.init(field: "/\(i)/items/\(name)", reason: "needs a name of 1-100 characters and a finite value"))
            }
            if !keys.insert("\(s.statement) \(s.period) \(s.periodEnd)").inserted {
                errors.append(.init(field: "/\(i)", reason: "the same statement and period appear twice"))
            }
        }
        if body.isEmpty || body.count > 200 { errors.append(.init(field: "/", reason: "must list 1 to 200 statements")) }
        guard errors.isEmpty else { throw Problem.validation("The statements are invalid.", errors: errors) }
        try await repository.putStatements(symbol: symbol, body)
        return try JSONResponse(encoding: StatementsBody(symbol: symbol, statements: try await repository.statements(symbol: symbol, statement: nil, period: nil)))
    }

    @Sendable func actions(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let symbol = try context.parameters.require("symbol").uppercased()
        let q = QueryReader.collecting(request)
        let kind = try q.string("kind", oneOf: ReferenceStore.Action.kinds)
        let (from, to) = (try q.date("from"), try q.date("to"))
        try q.check()
        let found = try await repository.actions(symbol: symbol, kind: kind, from: from, to: to)
        return try JSONResponse(encoding: ActionsBody(symbol: symbol, actions: found))
    }

    @Sendable func putActions(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let symbol = try context.parameters.require("symbol").uppercased()
        let body = try await request.decodeJSON(as: [ReferenceStore.Action].self, context: context)
        var errors: [FieldError] = []
        for (i, a) in body.enumerated() {
            if Resampler.daysSinceEpoch(a.date) == nil { errors.append(.init(field: "/\(i)/date", reason: "must be a date in YYYY-MM-DD form")) }
            if !ReferenceStore.Action.kinds.contains(a.kind) { errors.append(.init(field: "/\(i)/kind", reason: "must be split or dividend")) }
            if !(a.value.isFinite && a.value > 0) { errors.append(.init(field: "/\(i)/value", reason: "must be a positive number")) }
            if a.kind == "dividend", a.currency.map({ (try? Instrument.currencyPattern.wholeMatch(in: $0)) == nil }) ?? true {
                errors.append(.init(field: "/\(i)/currency", reason: "a dividend needs an ISO 4217 currency"))
            }
        }
        if body.isEmpty || body.count > 10_000 { errors.append(.init(field: "/", reason: "must list 1 to 10000 actions")) }
        guard errors.isEmpty else { throw Problem.validation("The corporate actions are invalid.", errors: errors) }
        try await repository.putActions(symbol: symbol, body)
        return try JSONResponse(encoding: ActionsBody(symbol: symbol, actions: try await repository.actions(symbol: symbol, kind: nil, from: nil, to: nil)))
    }
}
