import Foundation
import Quant

/// Reads daily bars from CSV: the layout of the platform's price files (`Date,Open,High,Low,Close,Adj Close,Volume`)
/// and Stooq's (`Date,Open,High,Low,Close,Volume`). Header names match case-insensitively and in any order;
/// `Adj Close` is optional (then it equals Close). Every unreadable cell becomes a ``RowIssue`` naming its line
/// (the header is line 1) and column; a blank line in the middle is an issue too, trailing blank lines are not.
public enum CSVBarParser {
    static let required = ["date", "open", "high", "low", "close", "volume"]

    public static func parse(_ data: Data, symbol: String) -> ParsedSeries {
        let text = String(decoding: data, as: UTF8.self)
        // "\r\n" is one Character in Swift, so CRLF files are split on it explicitly.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        guard let headerLine = lines.first else {
            return ParsedSeries(symbol: symbol, bars: [], issues: [RowIssue(line: 1, column: "row", reason: "empty file: expected a header such as Date,Open,High,Low,Close,Adj Close,Volume")])
        }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}"))
        }
        let index = Dictionary(header.enumerated().map { ($1.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let missing = required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            return ParsedSeries(symbol: symbol, bars: [], issues: [RowIssue(line: 1, column: "row",
                reason: "header \"\(headerLine)\" lacks \(missing.joined(separator: ", ")); expected Date,Open,High,Low,Close,Adj Close,Volume")])
        }
        let adjIndex = index["adj close"]
        var bars: [LocatedBar] = []
        var issues: [RowIssue] = []
        bars.reserveCapacity(lines.count)
        for (offset, line) in lines.enumerated().dropFirst() {
            let lineNumber = offset + 1
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == header.count else {
                issues.append(RowIssue(line: lineNumber, column: "row", reason: "has \(cells.count) fields, the header has \(header.count)"))
                continue
            }
            func cell(_ name: String) -> Substring { cells[index[name]!] }
            var rowIssues: [RowIssue] = []
            func number(_ name: String, _ column: String) -> Double {
                let raw = cell(name).trimmingCharacters(in: .whitespaces)
                guard let value = Double(raw), value.isFinite else {
                    rowIssues.append(RowIssue(line: lineNumber, column: column, reason: raw.isEmpty ? "is empty" : "\"\(raw)\" is not a number"))
                    return .nan
                }
                return value
            }
            let date = cell("date").trimmingCharacters(in: .whitespaces)
            if Resampler.daysSinceEpoch(date) == nil {
                rowIssues.append(RowIssue(line: lineNumber, column: header[index["date"]!], reason: "\"\(date)\" is not a date in YYYY-MM-DD form"))
            }
            let (open, high, low, close) = (number("open", "Open"), number("high", "High"), number("low", "Low"), number("close", "Close"))
            let adjClose = adjIndex.map { _ in number("adj close", "Adj Close") } ?? close
            let volume = number("volume", "Volume")
            if rowIssues.isEmpty {
                bars.append(LocatedBar(line: lineNumber, bar: DailyBar(date: date, open: open, high: high, low: low, close: close, adjClose: adjClose, volume: volume)))
            } else {
                issues += rowIssues
            }
        }
        return ParsedSeries(symbol: symbol, bars: bars, issues: issues, hasAdjustedClose: adjIndex != nil)
    }
}
