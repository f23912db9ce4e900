import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/data/instruments`: list (search, filter, page), read one, create.
struct InstrumentRoutes {
    let repository: InstrumentStore

    func add(to router: ServiceRouter) {
        router.on(DataContract.listInstruments, use: list)
        router.on(DataContract.instrument, use: get)
        router.on(DataContract.createInstrument, use: create)
    }

    struct Page: Codable {
        let items: [Instrument]
        let total: Int
        let limit: Int
        let offset: Int
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let q = request.uri.queryParameters
        var errors: [FieldError] = []
        var query = InstrumentStore.Query()
        query.search = q["q"].map(String.init)
        if let type = q["type"] {
            if let parsed = Instrument.InstrumentType(rawValue: String(type)) { query.type = parsed }
            else { errors.append(.init(field: "type", reason: "must be one of \(Instrument.InstrumentType.allCases.map(\.rawValue).joined(separator: ", "))")) }
        }
        query.exchange = q["exchange"].map(String.init)
        if let limit = q["limit"] {
            if let n = Int(limit), (1...1000).contains(n) { query.limit = n }
            else { errors.append(.init(field: "limit", reason: "must be a whole number from 1 to 1000")) }
        }
        if let offset = q["offset"] {
            if let n = Int(offset), n >= 0 { query.offset = n }
            else { errors.append(.init(field: "offset", reason: "must be a whole number, 0 or more")) }
        }
        guard errors.isEmpty else { throw Problem.badRequest("The query parameters are invalid.", errors: errors) }
        let (items, total) = try await repository.list(query)
        return try JSONResponse(encoding: Page(items: items, total: total, limit: query.limit, offset: query.offset))
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let symbol = try context.parameters.require("symbol").uppercased()
        guard let instrument = try await repository.find(symbol) else {
            throw Problem.notFound("No instrument with symbol \(symbol).")
        }
        return try JSONResponse(encoding: instrument)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        var instrument = try await request.decodeJSON(as: Instrument.self, context: context)
        instrument.symbol = instrument.symbol.uppercased()
        instrument.currency = instrument.currency.uppercased()
        let errors = instrument.validationErrors()
        guard errors.isEmpty else { throw Problem.validation("The instrument is invalid.", errors: errors) }
        guard try await repository.create(instrument) else {
            throw Problem.conflict("An instrument with symbol \(instrument.symbol) already exists.")
        }
        var response = try JSONResponse(encoding: instrument, status: .created).response(from: request, context: context)
        response.headers[.location] = "/api/v1/data/instruments/\(instrument.symbol)"
        return response
    }
}
