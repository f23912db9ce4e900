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
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
            line.last == "\r" ? line.dropLast() : line
        }
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        guard let headerLine = lines.first else {
            throw QuantError(.parse, "\(source): row 1: empty file, expected a header such as Date,Open,High,Low,Close,Volume")
        }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map(clean)
        try validate(header: header, source: source)
        var dates: [String] = []
        dates.reserveCapacity(lines.count - 1)
        var columns = [[Double]](repeating: [], count: header.count - 1)
        for i in columns.indices { columns[i].reserveCapacity(lines.count - 1) }
        for (offset, line) in lines.enumerated().dropFirst() {
            let row = offset + 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count else {
                let column = fields.count < header.count ? header[fields.count] : "\(fields.count)"
                throw QuantError(
                    .parse, "\(source): row \(row), column \(column): expected \(header.count) fields, found \(fields.count)")
            }
            let date = clean(fields[0])
            guard !date.isEmpty else { throw QuantError(.parse, "\(source): row \(row), column \(header[0]): empty date") }
            dates.append(date)
            for c in 1..<fields.count {
                let cell = clean(fields[c])
                guard let value = Double(cell) else {
                    throw QuantError(.parse, "\(source): row \(row), column \(header[c]): \"\(cell)\" is not a number")
                }
                guard value.isFinite else {
                    throw QuantError(.parse, "\(source): row \(row), column \(header[c]): \"\(cell)\" is not a finite number")
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
