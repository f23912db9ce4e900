import Foundation
import Hummingbird
import Quant
import SQLKit
import ServiceKit

/// `POST /api/v1/data/validate` (a quality report of the bars in the body; nothing is stored) and
/// `GET /api/v1/data/quality/metrics` (per stored series: bars, date range, and the quality score the `etl`
/// service measured when it published them).
struct QualityRoutes {
    let bars: BarStore

    func add(to router: ServiceRouter) {
        router.on(DataContract.validate, use: validate)
        router.on(DataContract.qualityMetrics, use: metrics)
    }

    struct ValidateRequest: Decodable {
        struct Bar: Decodable {
            let date: String
            let open, high, low, close: Double
            let adjClose: Double?
            let volume: Double

            enum CodingKeys: String, CodingKey {
                case date, open, high, low, close, volume
                case adjClose = "adj_close"
            }
        }

        let bars: [Bar]
        let holidays: [String]?
        let outlierZ: Double?
        let staleRun: Int?

        enum CodingKeys: String, CodingKey {
            case bars, holidays
            case outlierZ = "outlier_z"
            case staleRun = "stale_run"
        }
    }

    struct ValidateResponse: Encodable {
        /// Whether every bar passes the row rules (findings do not make a series invalid).
        let valid: Bool
        let report: BarQuality.Report
    }

    @Sendable func validate(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: ValidateRequest.self, context: context)
        var errors: [FieldError] = []
        if body.bars.isEmpty || body.bars.count > 100_000 { errors.append(.init(field: "/bars", reason: "must hold 1 to 100000 bars")) }
        if let z = body.outlierZ, !(z.isFinite && z > 0) { errors.append(.init(field: "/outlier_z", reason: "must be a positive number")) }
        if let run = body.staleRun, !(2...1000).contains(run) { errors.append(.init(field: "/stale_run", reason: "must be 2 to 1000")) }
        for (i, day) in (body.holidays ?? []).enumerated() where Resampler.daysSinceEpoch(day) == nil {
            errors.append(.init(field: "/holidays/\(i)", reason: "must be a date in YYYY-MM-DD form"))
        }
        guard errors.isEmpty else { throw Problem.badRequest("The validation request is invalid.", errors: errors) }
        let series = body.bars.map { DailyBar(date: $0.date, open: $0.open, high: $0.high, low: $0.low, close: $0.close,
                                              adjClose: $0.adjClose ?? $0.close, volume: $0.volume) }
        let report = BarQuality.report(series, holidays: Set(body.holidays ?? []), outlierZ: body.outlierZ ?? 6, staleRun: body.staleRun ?? 5)
        return try JSONResponse(encoding: ValidateResponse(valid: report.issues.isEmpty, report: report))
    }

    struct Series: Codable, Equatable {
        let symbol: String
        let bars: Int
        let firstDate: String
        let lastDate: String
        let qualityScore: Double?
        let source: String?
        let updatedAt: String?

        enum CodingKeys: String, CodingKey {
            case symbol, bars, source
            case firstDate = "first_date"
            case lastDate = "last_date"
            case qualityScore = "quality_score"
            case updatedAt = "updated_at"
        }
    }

    struct Metrics: Codable, Equatable {
        let symbols: Int
        let bars: Int
        /// Mean of the known scores; `nil` when no series has one.
        let meanQualityScore: Double?
        let series: [Series]

        enum CodingKeys: String, CodingKey {
            case symbols, bars, series
            case meanQualityScore = "mean_quality_score"
        }
    }

    @Sendable func metrics(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let symbol = try QueryReader(request).string("symbol", maxLength: 20)?.uppercased()
        let series = try await bars.database.withSQL { sql in
            var query = SQLQueryString("""
                SELECT b.symbol, COUNT(*) AS bars, MIN(b.date) AS first_date, MAX(b.date) AS last_date,
                       q.quality_score, q.source, q.updated_at
                FROM bars b LEFT JOIN series_quality q ON q.symbol = b.symbol
                """)
            if let symbol { query = query + " WHERE b.symbol = \(bind: symbol)" }
            return try await sql.raw(query + " GROUP BY b.symbol, q.quality_score, q.source, q.updated_at ORDER BY b.symbol")
                .all(decoding: Series.self)
        }
        if let symbol, series.isEmpty { throw Problem.notFound("No bars for symbol \(symbol).") }
        let scores = series.compactMap(\.qualityScore)
        return try JSONResponse(encoding: Metrics(symbols: series.count, bars: series.reduce(0) { $0 + $1.bars },
                                                  meanQualityScore: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count),
                                                  series: series))
    }
}
