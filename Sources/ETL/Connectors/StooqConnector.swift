import Foundation
import NIOCore
import NIOFoundationCompat

/// Stooq's daily history as CSV: `GET <etl.stooq_url>?s=<symbol>&i=d[&d1=YYYYMMDD&d2=YYYYMMDD]`, answered with
/// `Date,Open,High,Low,Close,Volume` (prices split-adjusted by Stooq). Stooq answers errors with HTTP 200 and a
/// one-line body: `No data` for an unknown symbol or an empty range, `Exceeded the daily hits limit` when rate-limited.
public struct StooqConnector: Connector {
    public let source = "stooq"
    public let profile = ValidationProfile.prices
    let baseURL: String
    let fetcher: HTTPFetcher

    public init(baseURL: String, fetcher: HTTPFetcher) {
        self.baseURL = baseURL
        self.fetcher = fetcher
    }

    /// Stooq symbols are lower case with a market suffix (`aapl.us`); a bare ticker is passed as given.
    public func url(for request: FetchRequest) -> String {
        var components = URLComponents(string: baseURL) ?? URLComponents()
        var items = [URLQueryItem(name: "s", value: request.symbol.lowercased()), URLQueryItem(name: "i", value: "d")]
        if let from = request.from { items.append(URLQueryItem(name: "d1", value: from.replacingOccurrences(of: "-", with: ""))) }
        if let to = request.to { items.append(URLQueryItem(name: "d2", value: to.replacingOccurrences(of: "-", with: ""))) }
        components.queryItems = items
        return components.string ?? baseURL
    }

    public func fetch(_ request: FetchRequest) async throws(ConnectorError) -> RawPayload {
        let reply = try await fetcher.get(url(for: request), accept: "text/csv")
        let data = Data(buffer: reply.body)
        guard (200..<300).contains(reply.status) else {
            throw failure(status: reply.status, body: data, request: request, provider: "Stooq")
        }
        return RawPayload(data: data, fileExtension: "csv")
    }

    public func parse(_ payload: Data, request: FetchRequest) throws(ConnectorError) -> ParsedSeries {
        let text = String(decoding: payload.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.localizedCaseInsensitiveContains("exceeded the daily hits limit") {
            throw ConnectorError(.rateLimited, "Stooq: exceeded the daily hits limit", retryAfter: .seconds(3600))
        }
        if text.caseInsensitiveCompare("No data") == .orderedSame {
            throw ConnectorError(.rejected, "Stooq has no data for \(request.symbol) in the requested range")
        }
        guard text.lowercased().hasPrefix("date,") else {
            throw ConnectorError(.malformed, "Stooq's answer is not its CSV (starts with \"\(text.prefix(60))\")")
        }
        return CSVBarParser.parse(payload, symbol: request.symbol.uppercased())
    }
}
