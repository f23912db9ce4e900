import Foundation
import Hummingbird
import NIOCore
import Quant
import ServiceKit

/// `/api/v1/data/market`: daily bars of a symbol, resampled to weeks or months on request, as JSON or CSV,
/// with an `ETag` so unchanged answers cost a 304.
struct MarketRoutes {
    let bars: BarStore
    let instruments: InstrumentStore
    let cache: BarResponseCache
    /// Bars change when new ones arrive; a short lifetime keeps a client from asking again
    /// within seconds, and the ETag makes every later revalidation a 304 until the symbol's bars change.
    static let cacheControl = "private, max-age=30"

    func add(to router: ServiceRouter) {
        router.on(DataContract.series, use: series)
        router.on(DataContract.latest, use: latest)
        router.on(DataContract.batch, use: batch)
    }

    /// What a bar query asks for, checked once for both the GET and the batch route.
    struct Query: Sendable {
        var from: String?
        var to: String?
        var interval: BarInterval = .day
        var adjusted = false

        static func parse(from: String?, to: String?, interval: String?, adjusted: String?) throws -> Query {
            var query = Query()
            var errors: [FieldError] = []
            for (name, value) in [("from", from), ("to", to)] {
                guard let value else { continue }
                if Resampler.daysSinceEpoch(value) == nil {
                    errors.append(.init(field: name, reason: "must be a date in YYYY-MM-DD form"))
                } else if name == "from" { query.from = value } else { query.to = value }
            }
            if let f = query.from, let t = query.to, f > t { errors.append(.init(field: "from", reason: "must not be after to")) }
            if let interval {
                if let parsed = BarInterval(rawValue: interval) { query.interval = parsed }
                else { errors.append(.init(field: "interval", reason: "must be one of 1d, 1w, 1mo")) }
            }
            if let adjusted {
                switch adjusted.lowercased() {
                case "true", "1", "yes": query.adjusted = true
                case "false", "0", "no": query.adjusted = false
                default: errors.append(.init(field: "adjusted", reason: "must be true or false"))
                }
            }
            guard errors.isEmpty else { throw Problem.badRequest("The query is invalid.", errors: errors) }
            return query
        }
    }

    /// The bars of `symbol` for `query`, or 404 when the symbol is unknown.
    func load(_ symbol: String, _ query: Query) async throws -> [DailyBar]? {
        var daily = try await bars.range(symbol: symbol, from: query.from, to: query.to)
        if daily.isEmpty, try await bars.latest(symbol: symbol) == nil, try await instruments.find(symbol) == nil { return nil }
        if query.adjusted { daily = daily.map(Self.adjusted) }
        return try Resampler.resample(daily, to: query.interval)
    }

    /// Prices scaled by adjusted close / close (splits and dividends), close replaced by the adjusted close;
    /// volume as traded.
    static func adjusted(_ bar: DailyBar) -> DailyBar {
        guard bar.close != 0 else { return bar }
        let factor = bar.adjClose / bar.close
        return DailyBar(date: bar.date, open: bar.open * factor, high: bar.high * factor, low: bar.low * factor,
                        close: bar.adjClose, adjClose: bar.adjClose, volume: bar.volume)
    }

    /// Served from ``BarResponseCache`` while the symbol's bar version is unchanged; built, encoded and cached otherwise.
    @Sendable func series(_ request: Request, context: ServiceRequestContext) async throws -> CachedBarResponse {
        let symbol = try context.parameters.require("symbol").uppercased()
        let q = QueryReader(request)
        let query = try Query.parse(from: try q.string("from"), to: try q.string("to"),
                                    interval: try q.string("interval"), adjusted: try q.string("adjusted"))
        let csv = (request.headers[.accept] ?? "").contains("text/csv")
        let key = "\(symbol)|\(query.from ?? "")|\(query.to ?? "")|\(query.interval.rawValue)|\(query.adjusted)|\(csv ? "csv" : "json")"
        // Read before the bars: a write in between makes the entry look older than it is, which only costs a miss.
        let version = try await bars.version(of: symbol)
        if let version, let entry = cache.get(key, version: version) {
            return CachedBarResponse(entry: entry, cacheControl: Self.cacheControl)
        }
        guard let result = try await load(symbol, query) else { throw Problem.notFound("No instrument or bars for symbol \(symbol).") }
        let body: ByteBuffer
        let contentType: String
        if csv {
            (body, contentType) = (ByteBuffer(string: BarCSV.render(result)), "text/csv; charset=utf-8")
        } else {
            let json = try ServiceJSON.encoder().encode(SeriesBody(symbol: symbol, interval: query.interval.rawValue, adjusted: query.adjusted,
                                                                bars: result.map(BarBody.init)))
            (body, contentType) = (ByteBuffer(bytes: json), "application/json; charset=utf-8")
        }
        let entry = BarResponseCache.Entry(version: version ?? -1, body: body, etag: BarResponseCache.etag(of: body), contentType: contentType)
        if version != nil { cache.put(key, entry) }
        return CachedBarResponse(entry: entry, cacheControl: Self.cacheControl)
    }

    @Sendable func latest(_ request: Request, context: ServiceRequestContext) async throws -> ConditionalResponse {
        let symbol = try context.parameters.require("symbol").uppercased()
        guard let bar = try await bars.latest(symbol: symbol) else { throw Problem.notFound("No bars for symbol \(symbol).") }
        let body = try ServiceJSON.encoder().encode(LatestBody(symbol: symbol, bar: BarBody(bar)))
        return ConditionalResponse(body: ByteBuffer(bytes: body), contentType: "application/json; charset=utf-8")
    }

    struct BatchRequest: Decodable {
        let symbols: [String]
        let from: String?
        let to: String?
        let interval: String?
        let adjusted: Bool?
    }

    @Sendable func batch(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: BatchRequest.self, context: context)
        guard !body.symbols.isEmpty, body.symbols.count <= 100 else {
            throw Problem.badRequest("symbols must list 1 to 100 symbols.", errors: [.init(field: "/symbols", reason: "1 to 100 symbols")])
        }
        let query = try Query.parse(from: body.from, to: body.to, interval: body.interval, adjusted: body.adjusted.map { "\($0)" })
        var results: [String: [BarBody]] = [:]
        var notFound: [String] = []
        for symbol in Set(body.symbols.map { $0.uppercased() }).sorted() {
            if let bars = try await load(symbol, query) { results[symbol] = bars.map(BarBody.init) } else { notFound.append(symbol) }
        }
        return try JSONResponse(encoding: BatchBody(interval: query.interval.rawValue, adjusted: query.adjusted, results: results, notFound: notFound))
    }

    struct BarBody: Codable {
        let date: String
        let open, high, low, close, adjClose, volume: Double

        init(_ bar: DailyBar) {
            (date, open, high, low, close, adjClose, volume) = (bar.date, bar.open, bar.high, bar.low, bar.close, bar.adjClose, bar.volume)
        }

        enum CodingKeys: String, CodingKey {
            case date, open, high, low, close, volume
            case adjClose = "adj_close"
        }
    }

    struct SeriesBody: Codable {
        let symbol: String
        let interval: String
        let adjusted: Bool
        let bars: [BarBody]
    }

    struct LatestBody: Codable {
        let symbol: String
        let bar: BarBody
    }

    struct BatchBody: Codable {
        let interval: String
        let adjusted: Bool
        let results: [String: [BarBody]]
        let notFound: [String]

        enum CodingKeys: String, CodingKey {
            case interval, adjusted, results
            case notFound = "not_found"
        }
    }
}

/// Bars as CSV in the layout of the price files users upload: `Date,Open,High,Low,Close,Adj Close,Volume`,
/// numbers in their shortest round-trip form, volume without a fraction when it has none.
enum BarCSV {
    static func render(_ bars: [DailyBar]) -> String {
        var out = "Date,Open,High,Low,Close,Adj Close,Volume\n"
        out.reserveCapacity(bars.count * 64)
        for bar in bars {
            let volume = bar.volume.rounded() == bar.volume && abs(bar.volume) < 1e15 ? String(Int64(bar.volume)) : "\(bar.volume)"
            out += "\(bar.date),\(bar.open),\(bar.high),\(bar.low),\(bar.close),\(bar.adjClose),\(volume)\n"
        }
        return out
    }
}


