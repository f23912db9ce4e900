import Foundation
import HTTPTypes
import Hummingbird
import Quant
import ServiceKit

/// The body of `POST/PATCH /alerts`.
struct AlertInput: Decodable, Sendable {
    var name: String?
    var symbol: String?
    var source: String?
    var rule: RuleWire?
    var active: Bool?
}

/// `/api/v1/notifications/alerts` and `/inbox`: every route on the caller's own alerts and entries (another user's
/// id is a 404).
struct NotificationsRoutes: Sendable {
    let store: AlertStore
    let peers: PeerClient

    func add(to router: ServiceRouter) {
        router.on(NotificationsContract.listAlerts, use: list)
        router.on(NotificationsContract.createAlert, use: create)
        router.on(NotificationsContract.getAlert, use: get)
        router.on(NotificationsContract.updateAlert, use: update)
        router.on(NotificationsContract.deleteAlert, use: delete)
        router.on(NotificationsContract.inbox, use: inbox)
        router.on(NotificationsContract.markEntry, use: mark)
        router.on(NotificationsContract.deleteEntry, use: deleteEntry)
    }

    static func caller(_ context: ServiceRequestContext) throws -> Principal { try context.requireUser("Alerts belong to users") }

    func owned(_ context: ServiceRequestContext, write: Bool) async throws -> AlertRecord {
        let principal = try Self.caller(context)
        let id = try context.parameters.require("id")
        guard let record = try await store.find(id), record.owner == principal.subject || (!write && principal.has(scope: Scope.admin)) else {
            throw Problem.notFound("No alert \(id).")
        }
        return record
    }

    /// Merges and checks an alert; every problem named by its JSON pointer. The symbol must have bars in `data`
    /// (asked as the caller); a new alert (or one whose symbol, source or rule changes) starts after the latest bar.
    func resolve(_ input: AlertInput, onto current: AlertRecord?, principal: Principal, context: ServiceRequestContext) async throws -> AlertRecord {
        var errors: [FieldError] = []
        let name = input.name?.trimmingCharacters(in: .whitespaces) ?? current?.name
        if let name, name.isEmpty || name.count > 200 { errors.append(FieldError(field: "/name", reason: "must be 1-200 characters")) }
        if name == nil { errors.append(FieldError(field: "/name", reason: "is required")) }
        let symbol = input.symbol?.uppercased() ?? current?.symbol
        if let symbol, (try? /^[A-Z0-9][A-Z0-9.\-^=_]{0,39}$/.wholeMatch(in: symbol)) == nil {
            errors.append(FieldError(field: "/symbol", reason: "is not a symbol (letters, digits and . - ^ = _)"))
        }
        if symbol == nil { errors.append(FieldError(field: "/symbol", reason: "is required")) }
        let source = input.source ?? current?.source ?? "close"
        if source.count > 1000 { errors.append(FieldError(field: "/source", reason: "at most 1000 characters")) }
        do { _ = try AlertEvaluation.compile(source) } catch { errors.append(FieldError(field: "/source", reason: error.description)) }
        var rule = current?.rule
        if let wire = input.rule {
            do { rule = try wire.rule() } catch { errors.append(FieldError(field: "/rule", reason: error.description)) }
        }
        if rule == nil && input.rule == nil { errors.append(FieldError(field: "/rule", reason: "is required")) }
        if let rule {
            for (pointer, series) in [("/rule/condition", rule.condition.ySeries), ("/rule/condition/upper", rule.condition.yUpperSeries)] {
                guard let series else { continue }
                do { _ = try AlertEvaluation.compile(series) } catch { errors.append(FieldError(field: pointer, reason: error.description)) }
            }
        }
        guard errors.isEmpty, let name, let symbol, let rule else { throw Problem.validation("The alert is invalid.", errors: errors) }
        let changed = current == nil || symbol != current?.symbol || source != current?.source || input.rule != nil
        var state = current?.state ?? AlertState()
        if changed {
            let fetched = try await peers.dailyBars(symbol, for: PeerCaller(context))
            if fetched.notFound {
                throw Problem.validation("The alert is invalid.", errors: [FieldError(field: "/symbol", reason: "\(symbol) is unknown to the data service")])
            }
            state = AlertState(lastEvaluatedBar: fetched.bars.dates.last)
        }
        let now = Millis.now()
        return AlertRecord(id: current?.id ?? UUID().uuidString.lowercased(), owner: current?.owner ?? principal.subject, name: name, symbol: symbol,
                           source: source, rule: rule, state: state, active: input.active ?? (changed ? true : current?.active ?? true),
                           createdAt: current?.createdAt ?? now, updatedAt: now)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        try JSONResponse(encoding: ["items": try await store.list(owner: try Self.caller(context).subject).map(\.view)])
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try Self.caller(context)
        let input = try await request.decodeJSON(as: AlertInput.self, context: context)
        let record = try await resolve(input, onto: nil, principal: principal, context: context)
        try await store.create(record)
        var response = try JSONResponse(encoding: record.view, status: .created).response(from: request, context: context)
        response.headers[.location] = "\(NotificationsContract.alerts)/\(record.id)"
        return response
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        try JSONResponse(encoding: try await owned(context, write: false).view)
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try Self.caller(context)
        let current = try await owned(context, write: true)
        let input = try await request.decodeJSON(as: AlertInput.self, context: context)
        let record = try await resolve(input, onto: current, principal: principal, context: context)
        try await store.update(record)
        return try JSONResponse(encoding: try await store.find(record.id)?.view ?? record.view)
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let record = try await owned(context, write: true)
        try await store.delete(record.id)
        return Response(status: .noContent)
    }

    struct InboxPage: Encodable {
        var items: [InboxEntry]
        var total: Int
        var unread: Int
        var limit: Int
        var offset: Int
    }

    @Sendable func inbox(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try Self.caller(context)
        let q = QueryReader.collecting(request)
        let limit = try q.int("limit", in: 1...1000) ?? 50, offset = try q.int("offset", in: 0...Int(Int32.max)) ?? 0
        let unread = try q.bool("unread") ?? false
        try q.check()
        let page = try await store.inbox(owner: principal.subject, unreadOnly: unread, limit: limit, offset: offset)
        return try JSONResponse(encoding: InboxPage(items: page.items, total: page.total, unread: page.unread, limit: limit, offset: offset))
    }

    struct MarkInput: Decodable { var read: Bool }

    @Sendable func mark(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try Self.caller(context)
        let id = try context.parameters.require("id")
        let input = try await request.decodeJSON(as: MarkInput.self, context: context)
        guard try await store.mark(id, owner: principal.subject, read: input.read), let entry = try await store.entry(id, owner: principal.subject) else {
            throw Problem.notFound("No inbox entry \(id).")
        }
        return try JSONResponse(encoding: entry)
    }

    @Sendable func deleteEntry(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try Self.caller(context)
        let id = try context.parameters.require("id")
        guard try await store.deleteEntry(id, owner: principal.subject) else { throw Problem.notFound("No inbox entry \(id).") }
        return Response(status: .noContent)
    }
}
