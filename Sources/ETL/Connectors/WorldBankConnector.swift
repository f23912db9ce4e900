import Foundation
import NIOCore
import NIOFoundationCompat
import Quant

/// The World Bank's indicator API: the symbol is `COUNTRY:INDICATOR` (`US:NY.GDP.MKTP.CD`), fetched as
/// `GET <etl.worldbank_url><country>/indicator/<indicator>?format=json&per_page=20000[&date=YYYY:YYYY]` and answered
/// with `[{"page":1,"pages":1,"total":N,…}, [{"date":"2020","value":2.1e13,"country":{…},…}]]`, newest first; `value`
/// null marks a missing year (skipped). Dates `2020`, `2020Q3` and `2020M07` become the period's first day.
/// Errors come as `[{"message":[{"id":"120","key":"Invalid value","value":"…"}]}]`.
public struct WorldBankConnector: Connector {
    public let source = "worldbank"
    public let profile = ValidationProfile.economic
    let baseURL: String
    let fetcher: HTTPFetcher

    public init(baseURL: String, fetcher: HTTPFetcher) {
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.fetcher = fetcher
    }

    /// `US:NY.GDP.MKTP.CD` → (`US`, `NY.GDP.MKTP.CD`).
    public static func split(_ symbol: String) -> (country: String, indicator: String)? {
        let parts = symbol.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              parts.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" } }) else { return nil }
        return (parts[0], parts[1])
    }

    public func url(for request: FetchRequest) -> String {
        let (country, indicator) = Self.split(request.symbol) ?? ("", request.symbol)
        var url = "\(baseURL)\(country.lowercased())/indicator/\(indicator.uppercased())?format=json&per_page=20000"
        if let from = request.from?.prefix(4), let to = request.to?.prefix(4) { url += "&date=\(from):\(to)" }
        return url
    }

    public func fetch(_ request: FetchRequest) async throws(ConnectorError) -> RawPayload {
        guard Self.split(request.symbol) != nil else { throw ConnectorError(.rejected, "\(request.symbol) is not COUNTRY:INDICATOR") }
        let reply = try await fetcher.get(url(for: request), accept: "application/json")
        let data = Data(buffer: reply.body)
        guard (200..<300).contains(reply.status) else {
            throw failure(status: reply.status, body: data, request: request, provider: "the World Bank")
        }
        return RawPayload(data: data, fileExtension: "json")
    }

    public func parse(_ payload: Data, request: FetchRequest) throws(ConnectorError) -> ParsedSeries {
        guard let array = (try? JSONSerialization.jsonObject(with: payload)) as? [Any], let head = array.first as? [String: Any] else {
            throw ConnectorError(.malformed, "the World Bank's answer is not its JSON array")
        }
        if let messages = head["message"] as? [[String: Any]] {
            let text = messages.map { "\($0["key"] ?? "error"): \($0["value"] ?? "")" }.joined(separator: "; ")
            throw ConnectorError(.rejected, "World Bank: \(text)")
        }
        if let pages = head["pages"] as? Int, let page = head["page"] as? Int, pages > page {
            throw ConnectorError(.rejected, "the World Bank's answer has \(pages) pages; narrow the date range")
        }
        let entries = array.count > 1 ? (array[1] as? [[String: Any]] ?? []) : []
        let symbol = request.symbol.uppercased()
        var bars: [LocatedBar] = []
        var issues: [RowIssue] = []
        var name: String?
        for (i, entry) in entries.enumerated() {
            name = name ?? ((entry["indicator"] as? [String: Any])?["value"] as? String)
            guard let value = entry["value"], !(value is NSNull) else { continue }
            let period = entry["date"] as? String ?? ""
            guard let date = Self.periodStart(period) else {
                issues.append(RowIssue(line: i + 1, column: "date", reason: "\"\(period)\" is not a year, quarter or month"))
                continue
            }
            guard let number = (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init), number.isFinite else {
                issues.append(RowIssue(line: i + 1, column: "value", reason: "\(value) is not a number"))
                continue
            }
            bars.append(LocatedBar(line: i + 1, bar: DailyBar(date: date, open: number, high: number, low: number, close: number, adjClose: number, volume: 0)))
        }
        return ParsedSeries(symbol: symbol, bars: bars, issues: issues, instrument: InstrumentInfo(name: name, type: "economic"), hasAdjustedClose: true)
    }

    /// `2020` → `2020-01-01`, `2020Q3` → `2020-07-01`, `2020M07` → `2020-07-01`.
    static func periodStart(_ period: String) -> String? {
        let year = period.prefix(4)
        guard year.count == 4, Int(year) != nil else { return nil }
        let rest = period.dropFirst(4)
        if rest.isEmpty { return "\(year)-01-01" }
        if rest.first == "Q", let q = Int(rest.dropFirst()), (1...4).contains(q) { return "\(year)-\(q * 3 - 2 < 10 ? "0" : "")\(q * 3 - 2)-01" }
        if rest.first == "M", let m = Int(rest.dropFirst()), (1...12).contains(m) { return "\(year)-\(m < 10 ? "0" : "")\(m)-01" }
        return nil
    }
}
