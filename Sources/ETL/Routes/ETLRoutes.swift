import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import Quant
import ServiceKit

/// `/api/v1/etl`: start collections and uploads, read a job's status and report, replay a job from the archive.
struct ETLRoutes: Sendable {
    let repository: JobStore
    let archive: RawArchive
    let configuration: Configuration
    let settings: ETLSettings
    let wakeups: JobWakeups

    /// Sources a collection may name (uploads go through `collect/csv`).
    static let collectSources: Set<String> = ["stooq", "yahoo", "alphavantage", "fred", "worldbank", "synthetic"]
    static let maxSymbols = 500

    func add(to router: ServiceRouter) {
        router.on(ETLContract.collect, use: collect)
        router.on(ETLContract.upload, use: upload)
        router.on(ETLContract.status, use: status)
        router.on(ETLContract.transform, use: transform)
    }

    struct CollectBody: Decodable {
        let symbols: [String]
        let from: String?
        let to: String?
        let options: [String: JSONValue]?
    }

    struct Accepted: Encodable {
        let jobID: String
        let state: JobState
        let run: Int
        let statusURL: String

        enum CodingKeys: String, CodingKey {
            case state, run
            case jobID = "job_id"
            case statusURL = "status_url"
        }
    }

    @Sendable func collect(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let source = try context.parameters.require("source").lowercased()
        // `collect/csv` has its own route; another spelling of it (`collect/CSV`) is an upload too.
        if source == "csv" { return try await upload(request, context: context) }
        guard Self.collectSources.contains(source) else {
            throw Problem.notFound("Unknown source \(source); sources: \(Self.collectSources.sorted().joined(separator: ", ")), csv.")
        }
        let body = try await request.decodeJSON(as: CollectBody.self, context: context)
        let jobRequest = try Self.check(body, source: source)
        if let key = ConnectorSet.missingKey(for: source, in: configuration) {
            throw Problem.badRequest("The \(source) source needs \(key.name), which this server does not have.",
                                     errors: [FieldError(field: "source", reason: "\(key.name) is not configured")])
        }
        let id = UUID().uuidString.lowercased()
        try await repository.create(id: id, source: source, request: jobRequest)
        wakeups.signal()
        return try accepted(id: id, request: request, context: context)
    }

    func accepted(id: String, run: Int = 0, request: Request, context: ServiceRequestContext) throws -> Response {
        let location = "/api/v1/etl/status/\(id)"
        var response = try JSONResponse(encoding: Accepted(jobID: id, state: .queued, run: run, statusURL: location), status: .accepted)
            .response(from: request, context: context)
        response.headers[.location] = location
        return response
    }

    /// Checks a collection request field by field; every problem is listed in one 400.
    static func check(_ body: CollectBody, source: String) throws -> JobRequest {
        var errors: [FieldError] = []
        let symbols = body.symbols.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
        if symbols.isEmpty || symbols.count > maxSymbols {
            // Too many symbols: say so once rather than listing problems of thousands of entries.
            throw Problem.badRequest("The collection request is invalid.", errors: [.init(field: "/symbols", reason: "must list 1 to \(maxSymbols) symbols")])
        }
        for (i, symbol) in symbols.enumerated() where !isSymbol(symbol) {
            errors.append(.init(field: "/symbols/\(i)", reason: "\"\(symbol)\" is not a symbol (1–40 of A–Z, 0–9, . - _ ^ = :)"))
        }
        if source == "worldbank" {
            for (i, symbol) in symbols.enumerated() where WorldBankConnector.split(symbol) == nil {
                errors.append(.init(field: "/symbols/\(i)", reason: "World Bank symbols are COUNTRY:INDICATOR, e.g. US:NY.GDP.MKTP.CD"))
            }
        }
        if Set(symbols).count != symbols.count { errors.append(.init(field: "/symbols", reason: "lists a symbol twice")) }
        for (name, value) in [("from", body.from), ("to", body.to)] {
            if let value, Resampler.daysSinceEpoch(value) == nil { errors.append(.init(field: "/\(name)", reason: "must be a date in YYYY-MM-DD form")) }
        }
        if let from = body.from, let to = body.to, from > to { errors.append(.init(field: "/from", reason: "must not be after to")) }
        var options: [String: String] = [:]
        for (key, value) in body.options ?? [:] {
            switch value {
            case .string(let text): options[key] = text
            case .number(let number): options[key] = number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            case .bool(let flag): options[key] = String(flag)
            default: errors.append(.init(field: "/options/\(key)", reason: "must be a string, number or boolean"))
            }
        }
        if case .failure(let issue) = SplitAdjustment.parse(options["splits"] ?? "") { errors.append(.init(field: "/options/splits", reason: issue.reason)) }
        if source == "synthetic" {
            do { _ = try SyntheticSeries.Parameters(options) } catch { errors.append(.init(field: "/options", reason: error.message)) }
            if body.from == nil || body.to == nil { errors.append(.init(field: "/from", reason: "synthetic series need from and to")) }
            if let a = body.from.flatMap(Resampler.daysSinceEpoch), let b = body.to.flatMap(Resampler.daysSinceEpoch), b - a > 366 * 100 {
                errors.append(.init(field: "/to", reason: "a synthetic series spans at most 100 years"))
            }
        }
        guard errors.isEmpty else { throw Problem.badRequest("The collection request is invalid.", errors: errors) }
        return JobRequest(symbols: symbols, from: body.from, to: body.to, options: options)
    }

    static func isSymbol(_ text: String) -> Bool {
        (1...40).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_^=:".contains($0)) }
    }

    @Sendable func status(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("job_id")
        guard let status = try await repository.status(id) else { throw Problem.notFound("No job \(id).") }
        return try JSONResponse(encoding: status)
    }

    struct TransformBody: Decodable {
        let options: [String: JSONValue]?
    }

    @Sendable func transform(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let id = try context.parameters.require("job_id")
        let collected = try await request.body.collect(upTo: context.maxUploadSize)
        var options: [String: String] = [:]
        if collected.readableBytes > 0 {
            let body = try await Request(head: request.head, body: .init(buffer: collected)).decodeJSON(as: TransformBody.self, context: context)
            options = try Self.check(CollectBody(symbols: ["X"], from: nil, to: nil, options: body.options), source: "transform").options
        }
        switch try await repository.requeueForTransform(id, options: options) {
        case .notFound: throw Problem.notFound("No job \(id).")
        case .busy(let state): throw Problem.conflict("Job \(id) is \(state.rawValue); a transform replays a finished job.")
        case .queued(let run):
            wakeups.signal()
            return try accepted(id: id, run: run, request: request, context: context)
        }
    }
}
