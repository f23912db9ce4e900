import ServiceKit

/// The instrument metadata a provider gave, in the shape of the bus contract.
public typealias InstrumentInfo = BarsCollectedEvent.Instrument

/// Which rules a series is held to.
public enum ValidationProfile: String, Sendable, Codable {
    /// Daily prices: OHLC consistency, non-negative volume, gaps against the weekday calendar, stale runs.
    case prices
    /// Economic observations (one value per period): no OHLC, calendar or staleness rules.
    case economic
}

/// One thing wrong with one row: the reason a whole upload is refused, and a line of a job's error list.
public struct RowIssue: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// 1-based line of a CSV payload (the header is line 1) or entry of a JSON payload.
    public let line: Int
    /// The column as the payload names it (`High`, `Volume`, `Date`), or `row` for the row as a whole.
    public let column: String
    public let reason: String

    public init(line: Int, column: String, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }

    /// The issue as a problem+json `errors` entry.
    public var fieldError: FieldError { FieldError(field: "line \(line), column \(column)", reason: reason) }
}
