import Foundation
import NIOCore
import NIOFoundationCompat
import Quant

/// Yahoo Finance's chart API: `GET <etl.yahoo_url><SYMBOL>?period1=&period2=&interval=1d&events=div|split`,
/// answered with `{"chart":{"result":[{meta, timestamp[], events{splits}, indicators{quote[{open…volume}], adjclose[{adjclose}]}}],"error":null}}`.
/// Prices are split-adjusted by Yahoo; `adjclose` also accounts for dividends. Errors come as
/// `{"chart":{"result":null,"error":{"code":"Not Found","description":"…"}}}` (often with HTTP 404); rate limiting as HTTP 429.
public struct YahooConnector: Connector {
    public let source = "yahoo"
    public let profile = ValidationProfile.prices
    let baseURL: String
    let fetcher: HTTPFetcher

    public init(baseURL: String, fetcher: HTTPFetcher) {
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.fetcher = fetcher
    }

    public func url(for request: FetchRequest) -> String {
        let symbol = request.symbol.uppercased().addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) ?? request.symbol
        // period1 is inclusive and period2 exclusive, in Unix seconds: one day past `to` keeps its bar.
        let start = request.from.flatMap(Resampler.daysSinceEpoch).map { $0 * 86_400 } ?? 0
        let end = request.to.flatMap(Resampler.daysSinceEpoch).map { ($0 + 1) * 86_400 } ?? Int(Date().timeIntervalSince1970) + 86_400
        return "\(baseURL)\(symbol)?period1=\(start)&period2=\(end)&interval=1d&events=div%7Csplit&includeAdjustedClose=true"
    }

    public func fetch(_ request: FetchRequest) async throws(ConnectorError) -> RawPayload {
        let reply = try await fetcher.get(url(for: request), accept: "application/json")
        let data = Data(buffer: reply.body)
        guard (200..<300).contains(reply.status) else {
            throw failure(status: reply.status, body: data, request: request, provider: "Yahoo")
        }
        return RawPayload(data: data, fileExtension: "json")
    }

    struct Envelope: Decodable {
        struct Chart: Decodable {
            let result: [Result]?
            let error: ErrorBody?
        }
        struct ErrorBody: Decodable {
            let code: String?
            let description: String?
        }
        struct Result: Decodable {
            let meta: Meta?
            let timestamp: [Int]?
            let events: Events?
            let indicators: Indicators
        }
        struct Meta: Decodable {
            let symbol: String?
            let currency: String?
            let exchangeName: String?
            let instrumentType: String?
            let longName: String?
            let shortName: String?
            let gmtoffset: Int?
        }
        struct Events: Decodable {
            let splits: [String: SplitEvent]?
        }
        struct SplitEvent: Decodable {
            let date: Int
            let numerator: Double
            let denominator: Double
        }
        struct Indicators: Decodable {
            let quote: [Quote]
            let adjclose: [AdjClose]?
        }
        struct Quote: Decodable {
            let open, high, low, close: [Double?]?
            let volume: [Double?]?
        }
        struct AdjClose: Decodable {
            let adjclose: [Double?]?
        }
        let chart: Chart
    }

    public func parse(_ payload: Data, request: FetchRequest) throws(ConnectorError) -> ParsedSeries {
        let envelope: Envelope
        do { envelope = try JSONDecoder().decode(Envelope.self, from: payload) } catch {
            if String(decoding: payload.prefix(200), as: UTF8.self).localizedCaseInsensitiveContains("too many requests") {
                throw ConnectorError(.rateLimited, "Yahoo: too many requests")
            }
            throw ConnectorError(.malformed, "Yahoo's answer is not chart JSON")
        }
        if let error = envelope.chart.error {
            throw ConnectorError(.rejected, "Yahoo: \(error.code ?? "error"): \(error.description ?? "no description")")
        }
        guard let result = envelope.chart.result?.first else { throw ConnectorError(.malformed, "Yahoo's chart has neither result nor error") }
        let symbol = request.symbol.uppercased()
        let times = result.timestamp ?? []
        guard let quote = result.indicators.quote.first else { return ParsedSeries(symbol: symbol, bars: []) }
        let adj = result.indicators.adjclose?.first?.adjclose
        let offset = result.meta?.gmtoffset ?? 0
        var bars: [LocatedBar] = []
        var issues: [RowIssue] = []
        for (i, time) in times.enumerated() {
            func value(_ column: [Double?]?) -> Double? { column.flatMap { i < $0.count ? $0[i] : nil } }
            let fields: [(String, Double?)] = [("open", value(quote.open)), ("high", value(quote.high)), ("low", value(quote.low)),
                                               ("close", value(quote.close)), ("volume", value(quote.volume))]
            // Yahoo lists days without trading (and the current, unfinished day) with every field null.
            if fields.allSatisfy({ $0.1 == nil }) { continue }
            let missing = fields.filter { $0.1 == nil }.map(\.0)
            guard missing.isEmpty else {
                issues += missing.map { RowIssue(line: i + 1, column: $0, reason: "is null") }
                continue
            }
            // Timestamps are the exchange's session open; the local date is UTC shifted by the exchange's offset.
            let date = Resampler.isoDate(daysSinceEpoch: Int((Double(time + offset) / 86_400).rounded(.down)))
            let close = fields[3].1!
            bars.append(LocatedBar(line: i + 1, bar: DailyBar(date: date, open: fields[0].1!, high: fields[1].1!, low: fields[2].1!,
                                                             close: close, adjClose: value(adj) ?? close, volume: fields[4].1!)))
        }
        let splits = (result.events?.splits ?? [:]).values.sorted { $0.date < $1.date }.map {
            Split(date: Resampler.isoDate(daysSinceEpoch: ($0.date + offset) / 86_400), ratio: $0.numerator / $0.denominator)
        }
        let meta = result.meta
        let instrument = InstrumentInfo(name: meta?.longName ?? meta?.shortName, exchange: meta?.exchangeName, currency: meta?.currency,
                                        type: meta?.instrumentType?.lowercased())
        return ParsedSeries(symbol: symbol, bars: bars, issues: issues, splits: splits, instrument: instrument, hasAdjustedClose: adj != nil)
    }
}
