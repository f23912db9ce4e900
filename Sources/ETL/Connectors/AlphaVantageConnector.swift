import Foundation
import NIOCore
import NIOFoundationCompat
import Quant

/// Alpha Vantage's `TIME_SERIES_DAILY`: `GET <etl.alpha_vantage_url>?function=TIME_SERIES_DAILY&symbol=&outputsize=full&apikey=`,
/// answered with `{"Meta Data":{…}, "Time Series (Daily)":{"YYYY-MM-DD":{"1. open":"…","2. high":…,"5. volume":…}}}`
/// (raw prices, no adjustment). Alpha Vantage answers every error with HTTP 200 and one key: `"Error Message"`
/// (bad symbol or call), `"Note"` (the per-minute limit) or `"Information"` (the daily limit, premium-only calls).
public struct AlphaVantageConnector: Connector {
    public let source = "alphavantage"
    public let profile = ValidationProfile.prices
    let baseURL: String
    let apiKey: String?
    let fetcher: HTTPFetcher

    public init(baseURL: String, apiKey: String?, fetcher: HTTPFetcher) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.fetcher = fetcher
    }

    public func url(for request: FetchRequest) -> String {
        var components = URLComponents(string: baseURL) ?? URLComponents()
        components.queryItems = [
            URLQueryItem(name: "function", value: "TIME_SERIES_DAILY"), URLQueryItem(name: "symbol", value: request.symbol.uppercased()),
            URLQueryItem(name: "outputsize", value: request.options["outputsize"] ?? "full"), URLQueryItem(name: "datatype", value: "json"),
            URLQueryItem(name: "apikey", value: apiKey ?? ""),
        ]
        return components.string ?? baseURL
    }

    public func fetch(_ request: FetchRequest) async throws(ConnectorError) -> RawPayload {
        guard apiKey?.isEmpty == false else { throw ConnectorError(.rejected, "etl.alpha_vantage_key is not configured") }
        let reply = try await fetcher.get(url(for: request), accept: "application/json")
        let data = Data(buffer: reply.body)
        guard (200..<300).contains(reply.status) else {
            throw failure(status: reply.status, body: data, request: request, provider: "Alpha Vantage")
        }
        return RawPayload(data: data, fileExtension: "json")
    }

    /// Alpha Vantage quotes the caller's key in some messages ("We have detected your API key as …").
    func redact(_ message: String) -> String {
        let text = Redaction.text(message)
        guard let apiKey, !apiKey.isEmpty else { return text }
        return text.replacingOccurrences(of: apiKey, with: "<redacted>")
    }

    public func parse(_ payload: Data, request: FetchRequest) throws(ConnectorError) -> ParsedSeries {
        guard let object = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any] else {
            throw ConnectorError(.malformed, "Alpha Vantage's answer is not a JSON object")
        }
        if let message = object["Error Message"] as? String { throw ConnectorError(.rejected, "Alpha Vantage: \(redact(message))") }
        if let message = (object["Note"] ?? object["Information"]) as? String {
            // "Information" also answers premium-only parameters; only a message about limits is worth a retry.
            let limited = message.localizedCaseInsensitiveContains("rate limit") || message.localizedCaseInsensitiveContains("call frequency")
                || message.localizedCaseInsensitiveContains("requests per")
            throw ConnectorError(limited ? .rateLimited : .rejected, "Alpha Vantage: \(redact(message))",
                                 retryAfter: limited ? .seconds(60) : nil)
        }
        guard let series = object["Time Series (Daily)"] as? [String: Any] else {
            throw ConnectorError(.malformed, "Alpha Vantage's answer has no \"Time Series (Daily)\"")
        }
        let symbol = request.symbol.uppercased()
        var bars: [LocatedBar] = []
        var issues: [RowIssue] = []
        // JSON objects have no order; entries are numbered by ascending date so that problems name a stable place.
        for (i, date) in series.keys.sorted().enumerated() {
            if let from = request.from, date < from { continue }
            if let to = request.to, date > to { continue }
            guard let fields = series[date] as? [String: Any] else {
                issues.append(RowIssue(line: i + 1, column: date, reason: "is not an object of prices"))
                continue
            }
            var values: [Double] = []
            for key in ["1. open", "2. high", "3. low", "4. close", "5. volume"] {
                if let text = fields[key] as? String, let value = Double(text), value.isFinite { values.append(value) } else {
                    issues.append(RowIssue(line: i + 1, column: "\(date) \(key)", reason: "\(fields[key].map { "\($0)" } ?? "missing") is not a number"))
                }
            }
            guard values.count == 5 else { continue }
            bars.append(LocatedBar(line: i + 1, bar: DailyBar(date: date, open: values[0], high: values[1], low: values[2], close: values[3],
                                                             adjClose: values[3], volume: values[4])))
        }
        return ParsedSeries(symbol: symbol, bars: bars, issues: issues)
    }
}
