import Foundation
import Quant

/// What a job asks one connector for: one symbol (a ticker, a FRED series id, `COUNTRY:INDICATOR` for the
/// World Bank) over an optional date range.
public struct FetchRequest: Sendable, Codable, Equatable {
    public var symbol: String
    /// First date wanted, `YYYY-MM-DD`; `nil` means as far back as the provider goes.
    public var from: String?
    /// Last date wanted, `YYYY-MM-DD`; `nil` means up to today.
    public var to: String?
    /// Connector-specific options (`seed` for the synthetic generator, `outputsize` for Alpha Vantage…).
    public var options: [String: String]

    public init(symbol: String, from: String? = nil, to: String? = nil, options: [String: String] = [:]) {
        self.symbol = symbol
        self.from = from
        self.to = to
        self.options = options
    }
}

/// A payload exactly as a provider sent it (or a user uploaded it); it is archived before it is parsed.
public struct RawPayload: Sendable, Equatable {
    public let data: Data
    /// The archive file extension: `csv` or `json`.
    public let fileExtension: String

    public init(data: Data, fileExtension: String) {
        self.data = data
        self.fileExtension = fileExtension
    }
}

/// A stock split: prices before `date` are divided by `ratio` (4 for a 4-for-1 split), volumes multiplied.
public struct Split: Sendable, Codable, Equatable {
    public let date: String
    public let ratio: Double

    public init(date: String, ratio: Double) {
        self.date = date
        self.ratio = ratio
    }
}

/// One bar with where it came from in the payload, so a problem can name its line (CSV) or entry (JSON).
public struct LocatedBar: Sendable, Equatable {
    /// 1-based: the line of a CSV file (the header is line 1) or the entry of a JSON array.
    public let line: Int
    public var bar: DailyBar

    public init(line: Int, bar: DailyBar) {
        self.line = line
        self.bar = bar
    }
}

/// What a parser found in a payload: the bars, the problems of rows it could not read, and what the
/// provider said about the instrument.
public struct ParsedSeries: Sendable, Equatable {
    public var symbol: String
    public var bars: [LocatedBar]
    /// Rows that could not be read (a field that is not a number, a missing cell…); never silently dropped.
    public var issues: [RowIssue]
    public var splits: [Split]
    public var instrument: InstrumentInfo?
    /// Whether the payload had its own adjusted close (split adjustment then leaves it alone).
    public var hasAdjustedClose: Bool

    public init(symbol: String, bars: [LocatedBar], issues: [RowIssue] = [], splits: [Split] = [], instrument: InstrumentInfo? = nil,
                hasAdjustedClose: Bool = false) {
        self.symbol = symbol
        self.hasAdjustedClose = hasAdjustedClose
        self.bars = bars
        self.issues = issues
        self.splits = splits
        self.instrument = instrument
    }
}

/// Why a connector could not deliver a payload.
public struct ConnectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// The provider refused for now (HTTP 429, or a rate-limit message in a 200 answer); retry later.
        case rateLimited = "rate-limited"
        /// The provider failed or could not be reached (5xx, timeout, refused connection); retry later.
        case unavailable
        /// The provider answered with an error about the request (unknown symbol, bad key); retrying is useless.
        case rejected
        /// The payload is not in the provider's documented format; retrying is useless.
        case malformed
    }

    public let kind: Kind
    /// A message safe to show (never contains an API key).
    public let message: String
    /// How long the provider asked us to wait, when it said.
    public let retryAfter: Duration?

    public init(_ kind: Kind, _ message: String, retryAfter: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfter = retryAfter
    }

    /// Whether trying the same request again later may succeed.
    public var isRetryable: Bool { kind == .rateLimited || kind == .unavailable }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// A source of daily series behind one protocol: fetching is I/O, parsing is a pure function of the payload so
/// that a job can be replayed from the raw archive and parsers can be tested against recorded fixtures.
public protocol Connector: Sendable {
    /// The source name in URLs and the archive (`stooq`, `yahoo`, `alphavantage`, `fred`, `worldbank`, `synthetic`).
    var source: String { get }
    /// Whether the series are prices (OHLC rules, weekday calendar) or economic observations (one value a period).
    var profile: ValidationProfile { get }
    /// Fetches the raw payload of one request (retrying transient failures itself).
    func fetch(_ request: FetchRequest) async throws(ConnectorError) -> RawPayload
    /// Reads a payload; throws when the payload as a whole is an error or rate-limit answer or unreadable.
    func parse(_ payload: Data, request: FetchRequest) throws(ConnectorError) -> ParsedSeries
}

extension Connector {
    /// The error of a non-2xx answer: the provider's own error when the body holds one (FRED's JSON error, Yahoo's
    /// `chart.error`…), otherwise the HTTP status (5xx: unavailable and retried later; 4xx: rejected).
    func failure(status: Int, body: Data, request: FetchRequest, provider: String) -> ConnectorError {
        if case .failure(let error) = Result(catching: { () throws(ConnectorError) in try parse(body, request: request) }), error.kind != .malformed {
            return error
        }
        return ConnectorError(status >= 500 ? .unavailable : .rejected, "\(provider) answered HTTP \(status)")
    }
}
