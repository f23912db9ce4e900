import Foundation
import Hummingbird
import Quant
import ServiceKit

/// `/api/v1/portfolio/portfolios`: portfolios, their ledgers, imports, mappings; every route on the caller's own
/// portfolios only (another user's id is a 404; admins may read any).
struct PortfolioRoutes: Sendable {
    let store: PortfolioStore
    let market: MarketClient

    func add(to router: ServiceRouter) {
        router.on(PortfolioContract.list, use: list)
        router.on(PortfolioContract.create, use: create)
        router.on(PortfolioContract.get, use: get)
        router.on(PortfolioContract.update, use: update)
        router.on(PortfolioContract.delete, use: delete)
        router.on(PortfolioContract.listTransactions, use: listTransactions)
        router.on(PortfolioContract.record, use: record)
        router.on(PortfolioContract.updateTransaction, use: updateTransaction)
        router.on(PortfolioContract.deleteTransaction, use: deleteTransaction)
        router.on(PortfolioContract.importCSV, use: importCSV)
        router.on(PortfolioContract.getMapping, use: getMapping)
        router.on(PortfolioContract.putMapping, use: putMapping)
    }

    // MARK: ownership

    static func caller(_ context: ServiceRequestContext) throws -> Principal { try context.requireUser("Portfolios belong to users") }

    /// The portfolio `{id}` if the caller owns it (or, for reads, is an admin); 404 otherwise, so another
    /// user's portfolio looks exactly like one that does not exist.
    static func owned(_ store: PortfolioStore, _ context: ServiceRequestContext, write: Bool) async throws -> PortfolioRecord {
        let principal = try caller(context)
        let id = try context.parameters.require("id")
        guard let record = try await store.find(id),
              record.owner == principal.subject || (!write && principal.has(scope: Scope.admin)) else {
            throw Problem.notFound("No portfolio \(id).")
        }
        return record
    }

    // MARK: portfolios

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let principal = try Self.caller(context)
        return try JSONResponse(encoding: ["items": try await store.list(owner: principal.subject)])
    }

    static func validate(_ input: PortfolioInput, creating: Bool) -> (name: String?, currency: String?, errors: [FieldError]) {
        var errors: [FieldError] = []
        let name = input.name?.trimmingCharacters(in: .whitespaces)
        if let name, name.isEmpty || name.count > 200 { errors.append(FieldError(field: "/name", reason: "must be 1-200 characters")) }
        if creating && name == nil { errors.append(FieldError(field: "/name", reason: "is required")) }
        let currency = input.baseCurrency?.uppercased()
        if let currency, !Currencies.isKnown(currency) {
            errors.append(FieldError(field: "/base_currency", reason: "must be an ISO 4217 currency code such as USD"))
        }
        return (name, currency, errors)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try Self.caller(context)
        let input = try await request.decodeJSON(as: PortfolioInput.self, context: context)
        let (name, currency, errors) = Self.validate(input, creating: true)
        guard errors.isEmpty, let name else { throw Problem.validation("The portfolio is invalid.", errors: errors) }
        let record = try await store.create(owner: principal.subject, name: name, baseCurrency: currency ?? "USD")
        var response = try JSONResponse(encoding: record.view, status: .created).response(from: request, context: context)
        response.headers[.location] = "\(PortfolioContract.base)/\(record.id)"
        return response
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        try JSONResponse(encoding: try await Self.owned(store, context, write: false).view)
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let record = try await Self.owned(store, context, write: true)
        let input = try await request.decodeJSON(as: PortfolioInput.self, context: context)
        let (name, currency, errors) = Self.validate(input, creating: false)
        guard errors.isEmpty else { throw Problem.validation("The change is invalid.", errors: errors) }
        try await store.update(record.id, name: name, baseCurrency: currency)
        return try JSONResponse(encoding: try await store.find(record.id)?.view ?? record.view)
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let record = try await Self.owned(store, context, write: true)
        try await store.delete(record.id)
        return Response(status: .noContent)
    }

    // MARK: transactions

    struct Page: Encodable {
        let items: [TransactionView]
        let total: Int
        let limit: Int
        let offset: Int
    }

    @Sendable func listTransactions(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let record = try await Self.owned(store, context, write: false)
        let q = QueryReader(request)
        let symbol = try q.string("symbol", maxLength: 20)?.uppercased()
        let type = try q.string("type").map { text throws(Problem) -> TransactionType in
            guard let t = TransactionType(parsing: text) else {
                throw Problem.badRequest("The query parameter type is not a transaction type.",
                                         errors: [FieldError(field: "type", reason: "must be one of \(TransactionType.allCases.map(\.rawValue).joined(separator: ", "))")])
            }
            return t
        }
        let from = try q.date("from").flatMap(LocalDate.init), to = try q.date("to").flatMap(LocalDate.init)
        let limit = try q.int("limit", in: 1...10_000) ?? 1000, offset = try q.int("offset", in: 0...Int(Int32.max)) ?? 0
        let rows = try await store.transactions(of: record.id).filter { row in
            let t = row.transaction
            return (symbol == nil || t.symbol == symbol) && (type == nil || t.type == type)
                && (from == nil || t.date >= from!) && (to == nil || t.date <= to!)
        }
        if (request.headers[.accept] ?? "").contains("text/csv") {
            let body = ByteBuffer(string: LedgerCSV.write(rows.map(\.transaction)))
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentLength: String(body.readableBytes)],
                            body: .init(byteBuffer: body))
        }
        let page = rows.dropFirst(offset).prefix(limit).map(TransactionView.init)
        return try JSONResponse(encoding: Page(items: Array(page), total: rows.count, limit: limit, offset: offset)).response(from: request, context: context)
    }

    /// 422 naming each row whose symbol the data service does not know (`name(i)` is its field name).
    func checkSymbols(_ transactions: [Transaction], known: Set<String>, context: ServiceRequestContext,
                      name: (Int) -> String) async throws -> [FieldError] {
        let unknown = Set(transactions.map(\.symbol)).subtracting(known).subtracting([Transaction.cashSymbol])
        guard !unknown.isEmpty else { return [] }
        let found = try await market.instruments(Array(unknown), MarketClient.Caller(context))
        return transactions.enumerated().compactMap { i, t in
            unknown.contains(t.symbol) && found[t.symbol] == nil
                ? FieldError(field: name(i), reason: "\(t.symbol) is not an instrument the data service knows") : nil
        }
    }

    @Sendable func record(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let record = try await Self.owned(store, context, write: true)
        let batch = try await request.decodeJSON(as: TransactionBatch.self, context: context)
        let (inputs, array): ([TransactionInput], Bool) = switch batch {
        case .one(let input): ([input], false)
        case .many(let inputs): (inputs, true)
        }
        guard !inputs.isEmpty, inputs.count <= 10_000 else { throw Problem.badRequest("Send 1 to 10,000 transactions.") }
        let prefix: @Sendable (Int) -> String = { i in array ? "/\(i)" : "" }
        var errors: [FieldError] = []
        let defaults = Transaction(date: LedgerRules.today(), type: .deposit, symbol: "", currency: record.baseCurrency)
        let transactions = inputs.enumerated().map { i, input in
            errors += input.missingFields(prefix: prefix(i))
            return input.apply(to: defaults, prefix: prefix(i), errors: &errors)
        }
        guard errors.isEmpty else { throw Problem.validation("Nothing was stored: the transactions are invalid.", errors: errors) }
        let stored = try await store.transactions(of: record.id)
        errors = try await checkSymbols(transactions, known: Set(stored.map(\.transaction.symbol)), context: context) { "\(prefix($0))/symbol" }
        guard errors.isEmpty else { throw Problem.validation("Nothing was stored: unknown symbols.", errors: errors) }
        let today = LedgerRules.today()
        let ids = try await store.change(record.id, source: "manual") { rows throws(Problem) in
            let change = LedgerChange(inserts: transactions.map { NewTransaction(transaction: $0, fingerprint: nil) })
            let errors = LedgerRules.check(rows, change, today: today) { i, field in "\(prefix(i))/\(field)" }
            guard errors.isEmpty else { throw Problem.validation("Nothing was stored: the ledger would not validate.", errors: errors) }
            return change
        }
        let items = zip(ids, transactions).map { TransactionView(StoredTransaction(id: $0, seq: 0, transaction: $1, fingerprint: nil)) }
        struct Created: Encodable { let items: [TransactionView]; let count: Int }
        return try JSONResponse(encoding: Created(items: items, count: items.count), status: .created).response(from: request, context: context)
    }

    @Sendable func updateTransaction(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let record = try await Self.owned(store, context, write: true)
        let txID = try context.parameters.require("tx")
        let input = try await request.decodeJSON(as: TransactionInput.self, context: context)
        let stored = try await store.transactions(of: record.id)
        guard let current = stored.first(where: { $0.id == txID }) else { throw Problem.notFound("No transaction \(txID) in portfolio \(record.id).") }
        var errors: [FieldError] = []
        var changed = current
        changed.transaction = input.apply(to: current.transaction, prefix: "", errors: &errors)
        guard errors.isEmpty else { throw Problem.validation("Nothing was changed: the fields are invalid.", errors: errors) }
        errors = try await checkSymbols([changed.transaction], known: Set(stored.map(\.transaction.symbol)), context: context) { _ in "/symbol" }
        guard errors.isEmpty else { throw Problem.validation("Nothing was changed: unknown symbol.", errors: errors) }
        let today = LedgerRules.today()
        let update = changed
        _ = try await store.change(record.id, source: "manual") { rows throws(Problem) in
            guard rows.contains(where: { $0.id == txID }) else { throw Problem.notFound("No transaction \(txID) in portfolio \(record.id).") }
            let change = LedgerChange(updates: [update])
            let errors = LedgerRules.check(rows, change, today: today) { _, field in "/\(field)" }
                .map { FieldError(field: $0.field.replacingOccurrences(of: "/transactions/\(txID)", with: ""), reason: $0.reason) }
            guard errors.isEmpty else { throw Problem.validation("Nothing was changed: the ledger would not validate.", errors: errors) }
            return change
        }
        return try JSONResponse(encoding: TransactionView(update))
    }

    @Sendable func deleteTransaction(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let record = try await Self.owned(store, context, write: true)
        let txID = try context.parameters.require("tx")
        let today = LedgerRules.today()
        _ = try await store.change(record.id, source: "manual") { rows throws(Problem) in
            guard rows.contains(where: { $0.id == txID }) else { throw Problem.notFound("No transaction \(txID) in portfolio \(record.id).") }
            let change = LedgerChange(deletes: [txID])
            let errors = LedgerRules.check(rows, change, today: today) { _, field in "/\(field)" }
            guard errors.isEmpty else { throw Problem.validation("Nothing was deleted: later rows would not validate without it.", errors: errors) }
            return change
        }
        return Response(status: .noContent)
    }

    // MARK: import

    /// The 422 of a refused file: `errors` in the platform's field/reason form and `rows` with line, column and reason.
    static func rejection(_ issues: [CSVIssue]) -> Problem {
        let listed = issues.prefix(1000)
        let rows: [JSONValue] = listed.map { .object(["line": .number(Double($0.line)), "column": .string($0.column), "reason": .string($0.reason)]) }
        let errors: [JSONValue] = listed.map {
            .object(["field": .string($0.column.isEmpty ? "line \($0.line)" : "line \($0.line), column \($0.column)"), "reason": .string($0.reason)])
        }
        return Problem(status: .unprocessableContent, slug: "validation", title: "Validation failed",
                       detail: "The file has \(issues.count) problems on \(Set(issues.map(\.line)).count) lines; nothing was stored.",
                       extensions: ["errors": .array(errors), "rows": .array(rows), "bad_rows": .number(Double(Set(issues.map(\.line)).count))])
    }

    static func parseMapping(_ object: [String: String]) throws(Problem) -> [LedgerField: String] {
        var mapping: [LedgerField: String] = [:]
        var errors: [FieldError] = []
        for (key, header) in object {
            guard let field = LedgerField(rawValue: key) else {
                errors.append(FieldError(field: "/\(key)", reason: "is not a ledger field (\(LedgerField.allCases.map(\.rawValue).joined(separator: ", ")))"))
                continue
            }
            if header.isEmpty { errors.append(FieldError(field: "/\(key)", reason: "names no header")) }
            mapping[field] = header
        }
        for field in [LedgerField.date, .type, .symbol, .quantity, .price] where mapping[field] == nil {
            errors.append(FieldError(field: "/\(field.rawValue)", reason: "is required"))
        }
        guard errors.isEmpty else { throw Problem.validation("The mapping is invalid.", errors: errors) }
        return mapping
    }

    /// The file's own header name of `field` (as the CSV reader found it), for naming a column in a refusal.
    static func headerName(_ field: LedgerField, header: [String], mapping: [LedgerField: String]?, ghostfolio: Bool) -> String {
        if let name = mapping?[field] { return name }
        let aliases: [LedgerField: [String]] = [
            .date: ["date", "tradedate"], .symbol: ["code", "symbol", "ticker"], .type: ["action", "type"],
            .price: ["price", "unitprice", "value"], .quantity: ["quantity", "qty", "shares", "units"],
            .fee: ["fee", "commission"], .currency: ["currency", "ccy"], .note: ["note", "comment"],
        ]
        let wanted = ghostfolio ? aliases[field] ?? [field.rawValue] : [field.rawValue]
        return header.first { wanted.contains($0.lowercased()) } ?? field.rawValue
    }

    struct ImportResult: Encodable {
        let rows: Int
        let stored: Int
        let duplicates: Int
        let dryRun: Bool
        let layout: String
        let items: [TransactionView]?

        enum CodingKeys: String, CodingKey {
            case rows, stored, duplicates, layout, items
            case dryRun = "dry_run"
        }
    }

    @Sendable func importCSV(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let record = try await Self.owned(store, context, write: true)
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        guard contentType.hasPrefix("text/csv") || contentType.hasPrefix("text/plain") else {
            throw Problem(status: .unsupportedMediaType, slug: "unsupported-media-type",
                          detail: "An import is text/csv, not \(contentType.isEmpty ? "an untyped body" : contentType).")
        }
        let q = QueryReader(request)
        let dryRun = try q.bool("dry_run") ?? false
        var mapping: [LedgerField: String]?
        var layout = "mapping"
        if let text = try q.string("mapping", maxLength: 4000) {
            guard let object = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
                throw Problem.badRequest("The query parameter mapping is not a JSON object of strings.",
                                         errors: [FieldError(field: "mapping", reason: "must be a JSON object of field → header name")])
            }
            mapping = try Self.parseMapping(object)
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let text = String(buffer: body)
        if mapping == nil, let saved = record.mapping.flatMap({ try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }),
           let savedMapping = try? Self.parseMapping(saved) {
            let header = Set((text.split(whereSeparator: \.isNewline).first ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")).lowercased() })
            if [LedgerField.date, .type, .symbol, .quantity, .price].allSatisfy({ header.contains(savedMapping[$0]!.lowercased()) }) {
                mapping = savedMapping
            }
        }
        if mapping == nil {
            let header = (text.split(whereSeparator: \.isNewline).first ?? "").lowercased()
            layout = header.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "amount" } ? "bourse" : "ghostfolio"
        }
        var parsed: [LedgerCSV.Row]
        do {
            parsed = try LedgerCSV.parseRows(text, mapping: mapping, defaultCurrency: record.baseCurrency)
        } catch {
            throw Self.rejection(error.issues)
        }
        let header = (text.split(whereSeparator: \.isNewline).first ?? "").split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
        let column = { (field: LedgerField) in Self.headerName(field, header: header, mapping: mapping, ghostfolio: layout == "ghostfolio") }
        var issues: [CSVIssue] = []
        for i in parsed.indices {
            let t = parsed[i].transaction
            parsed[i].transaction.symbol = t.symbol.trimmingCharacters(in: .whitespaces).uppercased()
            parsed[i].transaction.currency = t.currency.uppercased()
            if !Currencies.isKnown(parsed[i].transaction.currency) {
                issues.append(CSVIssue(line: parsed[i].line, column: column(.currency), reason: "\"\(t.currency)\" is not an ISO 4217 currency code"))
            }
        }
        guard issues.isEmpty else { throw Self.rejection(issues) }
        let transactions = parsed.map(\.transaction)
        let fingerprints = LedgerRules.fingerprints(transactions)
        let stored = try await store.transactions(of: record.id)
        let symbolColumn = column(.symbol)
        let columns = Dictionary(uniqueKeysWithValues: LedgerField.allCases.map { ($0.rawValue, column($0)) })
        let unknown = try await checkSymbols(transactions, known: Set(stored.map(\.transaction.symbol)), context: context) { "\($0)" }
        guard unknown.isEmpty else {
            throw Self.rejection(unknown.map { CSVIssue(line: parsed[Int($0.field)!].line, column: symbolColumn, reason: $0.reason) })
        }
        let today = LedgerRules.today()
        let lines = parsed.map(\.line)
        let plan = { @Sendable (rows: [StoredTransaction]) throws(Problem) -> LedgerChange in
            let existing = Set(rows.compactMap(\.fingerprint))
            var change = LedgerChange()
            var newLines: [Int] = []
            for (i, t) in transactions.enumerated() where !existing.contains(fingerprints[i]) {
                change.inserts.append(NewTransaction(transaction: t, fingerprint: fingerprints[i]))
                newLines.append(lines[i])
            }
            let errors = LedgerRules.check(rows, change, today: today) { i, field in "line \(newLines[i]), column \(field)" }
            guard errors.isEmpty else {
                throw Self.rejection(errors.map { e in
                    let parts = e.field.split(separator: ",", maxSplits: 1)
                    let line = Int(parts[0].dropFirst("line ".count)) ?? 0
                    let field = parts.count > 1 ? String(parts[1].dropFirst(" column ".count)) : e.field
                    let column = columns[field] ?? field
                    return CSVIssue(line: line, column: column, reason: e.reason)
                })
            }
            return change
        }
        if dryRun {
            let change = try plan(stored)
            let items = change.inserts.map { TransactionView(StoredTransaction(id: "", seq: 0, transaction: $0.transaction, fingerprint: $0.fingerprint)) }
            return try JSONResponse(encoding: ImportResult(rows: transactions.count, stored: items.count, duplicates: transactions.count - items.count,
                                                           dryRun: true, layout: layout, items: items))
        }
        let ids = try await store.change(record.id, source: "import", plan)
        return try JSONResponse(encoding: ImportResult(rows: transactions.count, stored: ids.count, duplicates: transactions.count - ids.count,
                                                       dryRun: false, layout: layout, items: nil))
    }

    // MARK: mapping

    @Sendable func getMapping(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let record = try await Self.owned(store, context, write: false)
        let saved = record.mapping.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        return try JSONResponse(encoding: saved)
    }

    @Sendable func putMapping(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let record = try await Self.owned(store, context, write: true)
        let object = try await request.decodeJSON(as: [String: String].self, context: context)
        _ = try Self.parseMapping(object)
        let text = String(decoding: try ServiceJSON.encoder().encode(object), as: UTF8.self)
        try await store.save(.mapping, text, of: record.id)
        return try JSONResponse(encoding: object)
    }
}
