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
        let q = QueryReader.collecting(request)
        var query = InstrumentStore.Query()
        query.search = try q.string("q", maxLength: 200)
        query.type = try q.value("type", as: Instrument.InstrumentType.self)
        query.exchange = try q.string("exchange", maxLength: 100)
        query.limit = try q.int("limit", in: 1...1000) ?? query.limit
        query.offset = try q.int("offset", in: 0...Int(Int32.max)) ?? query.offset
        try q.check()
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
        instrument.country = instrument.country?.uppercased()
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
