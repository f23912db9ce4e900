/// A price file parsed from CSV text: a `Date` column followed by numeric columns.
///
/// Accepts Yahoo's `Date,Open,High,Low,Close,Adj Close,Volume` and the plain `Date,Open,High,Low,Close,Volume`
/// (any other numeric columns are kept too). Header names match case-insensitively; CRLF line ends and
/// trailing blank lines are tolerated. Parsing is pure: the caller reads the file and passes its text.
/// Every error is one line naming the source, the 1-based line number in the file ("row", the header
/// being row 1) and the column, e.g. `prices.csv: row 17, column High: "abc" is not a number`.
public struct PriceTable: Sendable {
    /// Name used in error messages, usually the file path.
    public let source: String
    /// Column names as written in the file.
    public let header: [String]
    /// Values of the first (`Date`) column, unparsed.
    public let dates: [String]
    /// Numeric columns in header order, `columns[i]` belonging to `header[i + 1]`.
    private let columns: [[Double]]

    /// Values of the column named `name` (case-insensitive, e.g. `"close"` or `"Adj Close"`).
    ///
    /// - Throws: `QuantError(.parse, …)` naming the source and the available columns when there is none.
    public func column(_ name: String) throws(QuantError) -> [Double] {
        let wanted = name.lowercased()
        guard let index = header.dropFirst().firstIndex(where: { $0.lowercased() == wanted }) else {
            throw QuantError(.parse, "\(source): row 1: no column \(name) (columns: \(header.joined(separator: ", ")))")
        }
        return columns[index - 1]
    }

    /// The `Open`, `High`, `Low`, `Close` and `Volume` columns as validated bars.
    ///
    /// - Throws: `QuantError(.parse, …)` when one of those columns is missing.
    public func ohlcv() throws(QuantError) -> OHLCV {
        try OHLCV(
            dates: dates, open: column("Open"), high: column("High"), low: column("Low"),
            close: column("Close"), volume: column("Volume"))
    }

    /// Parses CSV text whose first line is a header starting with `Date`.
    ///
    /// - Parameter source: the name errors are reported under (the file path).
    /// - Throws: `QuantError(.parse, …)` on a missing or malformed header, a row with the wrong number of
    ///   fields, a cell that is not a finite number, or no data row at all.
    public static func parse(_ text: String, source: String) throws(QuantError) -> PriceTable {
        // Lines and fields are found on the UTF-8 bytes ("\n", "\r\n", ","): splitting Characters (grapheme
        // clusters) cost ten times the number parsing on a 5,000-row file.
        var text = text
        text.makeContiguousUTF8()
        let utf8 = text.utf8
        var lines: [Range<String.Index>] = []
        var start = utf8.startIndex
        var i = utf8.startIndex
        while i < utf8.endIndex {
            if utf8[i] == UInt8(ascii: "\n") {
                var end = i
                if end > start, utf8[utf8.index(before: end)] == UInt8(ascii: "\r") { end = utf8.index(before: end) }
                lines.append(start..<end)
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        if start < utf8.endIndex {
            var end = utf8.endIndex
            if utf8[utf8.index(before: end)] == UInt8(ascii: "\r") { end = utf8.index(before: end) }
            lines.append(start..<end)
        }
        while let last = lines.last, utf8[last].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { lines.removeLast() }
        guard let headerLine = lines.first else {
            throw QuantError(.parse, "\(source): row 1: empty file, expected a header such as Date,Open,High,Low,Close,Volume")
        }
        func fields(_ line: Range<String.Index>) -> [Substring] {
            var out: [Substring] = []
            var from = line.lowerBound
            var k = line.lowerBound
            while k < line.upperBound {
                if utf8[k] == UInt8(ascii: ",") {
                    out.append(text[from..<k])
                    from = utf8.index(after: k)
                }
                k = utf8.index(after: k)
            }
            out.append(text[from..<line.upperBound])
            return out
        }
        let header = fields(headerLine).map(clean)
        try validate(header: header, source: source)
        var dates: [String] = []
        dates.reserveCapacity(lines.count - 1)
        var columns = [[Double]](repeating: [], count: header.count - 1)
        for c in columns.indices { columns[c].reserveCapacity(lines.count - 1) }
        for (offset, line) in lines.enumerated().dropFirst() {
            let row = offset + 1
            let cells = fields(line)
            guard cells.count == header.count else {
                let column = cells.count < header.count ? header[cells.count] : "\(cells.count)"
                throw QuantError(
                    .parse, "\(source): row \(row), column \(column): expected \(header.count) fields, found \(cells.count)")
            }
            let date = clean(cells[0])
            guard !date.isEmpty else { throw QuantError(.parse, "\(source): row \(row), column \(header[0]): empty date") }
            dates.append(date)
            for c in 1..<cells.count {
                // The common case (a bare number) is parsed in place; blanks and quotes are trimmed first otherwise.
                guard let value = Double(cells[c]) ?? Double(clean(cells[c])) else {
                    throw QuantError(.parse, "\(source): row \(row), column \(header[c]): \"\(clean(cells[c]))\" is not a number")
                }
                guard value.isFinite else {
                    throw QuantError(.parse, "\(source): row \(row), column \(header[c]): \"\(clean(cells[c]))\" is not a finite number")
                }
                columns[c - 1].append(value)
            }
        }
        guard !dates.isEmpty else { throw QuantError(.parse, "\(source): row 2: no data rows after the header") }
        return PriceTable(source: source, header: header, dates: dates, columns: columns)
    }

    private static func validate(header: [String], source: String) throws(QuantError) {
        guard header.first?.lowercased() == "date" else {
            throw QuantError(
                .parse, "\(source): row 1, column 1: header must start with Date, found \"\(header.first ?? "")\"")
        }
        guard header.count >= 2 else { throw QuantError(.parse, "\(source): row 1: header has no column after Date") }
        var seen: Set<String> = []
        for (i, name) in header.enumerated() {
            guard !name.isEmpty else { throw QuantError(.parse, "\(source): row 1, column \(i + 1): empty column name") }
            guard seen.insert(name.lowercased()).inserted else {
                throw QuantError(.parse, "\(source): row 1, column \(name): duplicate column name")
            }
        }
    }

    /// Trims blanks and one pair of surrounding double quotes.
    private static func clean(_ field: Substring) -> String {
        var s = field.drop { $0 == " " || $0 == "\t" }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        if s.count >= 2, s.first == "\"", s.last == "\"" { s = s.dropFirst().dropLast() }
        return String(s)
    }
}
