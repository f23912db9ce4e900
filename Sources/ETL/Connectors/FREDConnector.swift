import Foundation
import NIOCore
import NIOFoundationCompat
import Quant

/// FRED's series observations: `GET <etl.fred_url>?series_id=&api_key=&file_type=json[&observation_start=&observation_end=]`,
/// answered with `{"realtime_start":…, "count":N, "observations":[{"date":"YYYY-MM-DD","value":"1.23"}]}` where a value
/// of `"."` marks a missing observation (skipped, not an error). Errors: `{"error_code":400,"error_message":"…"}` with the
/// same HTTP status (429 when rate-limited).
public struct FREDConnector: Connector {
    public let source = "fred"
    public let profile = ValidationProfile.economic
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
        var items = [URLQueryItem(name: "series_id", value: request.symbol.uppercased()), URLQueryItem(name: "api_key", value: apiKey ?? ""),
                     URLQueryItem(name: "file_type", value: "json")]
        if let from = request.from { items.append(URLQueryItem(name: "observation_start", value: from)) }
        if let to = request.to { items.append(URLQueryItem(name: "observation_end", value: to)) }
        components.queryItems = items
        return components.string ?? baseURL
    }

    public func fetch(_ request: FetchRequest) async throws(ConnectorError) -> RawPayload {
        guard apiKey?.isEmpty == false else { throw ConnectorError(.rejected, "etl.fred_key is not configured") }
        let reply = try await fetcher.get(url(for: request), accept: "application/json")
        let data = Data(buffer: reply.body)
        guard (200..<300).contains(reply.status) else {
            throw failure(status: reply.status, body: data, request: request, provider: "FRED")
        }
        return RawPayload(data: data, fileExtension: "json")
    }

    struct Body: Decodable {
        struct Observation: Decodable {
            let date: String
            let value: String
        }
        let observations: [Observation]?
        let error_code: Int?
        let error_message: String?
    }

    public func parse(_ payload: Data, request: FetchRequest) throws(ConnectorError) -> ParsedSeries {
        guard let body = try? JSONDecoder().decode(Body.self, from: payload) else {
            throw ConnectorError(.malformed, "FRED's answer is not observations JSON")
        }
        if let code = body.error_code {
            let message = "FRED error \(code): \(Redaction.text(body.error_message ?? "no message"))"
            throw code == 429 ? ConnectorError(.rateLimited, message, retryAfter: .seconds(60)) : ConnectorError(code >= 500 ? .unavailable : .rejected, message)
        }
        guard let observations = body.observations else { throw ConnectorError(.malformed, "FRED's answer has no observations") }
        var bars: [LocatedBar] = []
        var issues: [RowIssue] = []
        for (i, observation) in observations.enumerated() where observation.value != "." {
            guard let value = Double(observation.value), value.isFinite else {
                issues.append(RowIssue(line: i + 1, column: "value", reason: "\"\(observation.value)\" is not a number"))
                continue
            }
            bars.append(LocatedBar(line: i + 1, bar: DailyBar(date: observation.date, open: value, high: value, low: value, close: value,
                                                             adjClose: value, volume: 0)))
        }
        return ParsedSeries(symbol: request.symbol.uppercased(), bars: bars, issues: issues,
                            instrument: InstrumentInfo(name: request.symbol.uppercased(), type: "economic"), hasAdjustedClose: true)
    }
}
