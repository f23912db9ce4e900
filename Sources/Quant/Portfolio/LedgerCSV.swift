import Foundation

/// A column of a ledger CSV file.
public enum LedgerField: String, CaseIterable, Sendable, Codable {
    case date, type, symbol, quantity, price, fee, amount, currency, note
}

/// One bad cell or row of a CSV file: `line` is where the record starts (the header is line 1), `column` the
/// file's header name (empty when the whole row is at fault).
public struct CSVIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    public var line: Int
    public var column: String
    public var reason: String

    public init(line: Int, column: String, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { column.isEmpty ? "line \(line): \(reason)" : "line \(line), \(column): \(reason)" }
}

/// A CSV file refused: every bad row, in file order. A file with any bad row yields no transactions.
public struct LedgerCSVError: Error, Hashable, Sendable, CustomStringConvertible {
    public let issues: [CSVIssue]
    public var description: String { issues.map(\.description).joined(separator: "; ") }
}

/// Reads and writes ledgers as CSV (pure functions over strings).
///
/// Layouts, told apart by the header (case-insensitive):
/// - Bourse: `date,type,symbol,quantity,price,fee,amount,currency[,note]`, types as ``TransactionType``.
/// - Ghostfolio: `Date|TradeDate`, `Code|Symbol|Ticker`, `Action|Type`, `Price|UnitPrice|Value`,
///   `Quantity|Qty|Shares|Units`, `Fee|Commission`, `Currency|Ccy`; actions buy, sell, dividend, fee (the fee
///   column, or quantity × price, charged to CASH), interest (quantity × price credited to CASH); liability and
///   item are refused.
/// - A custom mapping from ``LedgerField`` to the file's header names, read like the Bourse layout.
/// Dates: `yyyy-MM-dd` (optionally followed by `T` and a time), `dd-MM-yyyy`, `dd/MM/yyyy`, `dd.MM.yyyy`,
/// `yyyyMMdd`. Numbers: an optional sign, digits and one optional `.` — nothing else (no exponent, no
/// thousands separator), parsed exactly as `Decimal`. Empty `fee` is 0, empty `amount` absent, empty
/// `currency` the `defaultCurrency`.
public enum LedgerCSV {
    static let ghostfolioAliases: [LedgerField: [String]] = [
        .date: ["date", "tradedate"], .symbol: ["code", "symbol", "ticker"], .type: ["action", "type"],
        .price: ["price", "unitprice", "value"], .quantity: ["quantity", "qty", "shares", "units"],
        .fee: ["fee", "commission"], .currency: ["currency", "ccy"], .note: ["note", "comment"],
    ]

    public static func parse(
        _ text: String, mapping: [LedgerField: String]? = nil, defaultCurrency: String = "USD"
    ) throws(LedgerCSVError) -> [Transaction] {
        try parseRows(text, mapping: mapping, defaultCurrency: defaultCurrency).map(\.transaction)
    }

    /// One parsed row with the line its record starts on (the header being line 1), so a caller that checks
    /// more (holdings, known symbols) can name the line of a row it refuses.
    public struct Row: Hashable, Sendable {
        public var line: Int
        public var transaction: Transaction
    }

    /// ``parse(_:mapping:defaultCurrency:)`` keeping each transaction's line.
    public static func parseRows(
        _ text: String, mapping: [LedgerField: String]? = nil, defaultCurrency: String = "USD"
    ) throws(LedgerCSVError) -> [Row] {
        let (records, syntax) = CSVRecords.parse(text)
        if let syntax { throw LedgerCSVError(issues: [CSVIssue(line: syntax.line, column: "", reason: syntax.reason)]) }
        guard let header = records.first else { throw LedgerCSVError(issues: [CSVIssue(line: 1, column: "", reason: "the file is empty")]) }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var columns: [LedgerField: Int] = [:]
        let ghostfolio: Bool
        if let mapping {
            ghostfolio = false
            for (field, name) in mapping { if let i = names.firstIndex(of: name.lowercased()) { columns[field] = i } }
        } else {
            ghostfolio = !names.contains("amount")
            for field in LedgerField.allCases {
                let aliases = ghostfolio ? ghostfolioAliases[field] ?? [] : [field.rawValue]
                if let i = names.firstIndex(where: aliases.contains) { columns[field] = i }
            }
        }
        let required: [LedgerField] = [.date, .type, .symbol, .quantity, .price]
        let missing = required.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            throw LedgerCSVError(issues: missing.map {
                CSVIssue(line: header.line, column: mapping?[$0] ?? $0.rawValue, reason: "the header has no \($0.rawValue) column")
            })
        }
        var issues: [CSVIssue] = []
        var out: [Row] = []
        for record in records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                issues.append(CSVIssue(line: record.line, column: "", reason: "has \(record.fields.count) fields, the header has \(header.fields.count)"))
                continue
            }
            var row = RowReader(record: record, header: header.fields, columns: columns)
            if let t = row.transaction(ghostfolio: ghostfolio, defaultCurrency: defaultCurrency) { out.append(Row(line: record.line, transaction: t)) }
            issues += row.issues
        }
        guard issues.isEmpty else { throw LedgerCSVError(issues: issues) }
        return out
    }

    /// The Bourse layout: `amount` is always written (the recorded one, else the cash effect); a `note`
    /// column is added when any row has a note.
    public static func write(_ transactions: [Transaction]) -> String {
        let notes = transactions.contains { !$0.note.isEmpty }
        var out = "date,type,symbol,quantity,price,fee,amount,currency" + (notes ? ",note" : "") + "\n"
        for t in transactions {
            var cells = [
                t.date.description, t.type.rawValue, t.symbol, t.quantity.description, t.price.description, t.fee.description,
                (t.amount ?? t.cashEffect).description, t.currency,
            ]
            if notes { cells.append(t.note) }
            out += cells.map(CSVRecords.escape).joined(separator: ",") + "\n"
        }
        return out
    }
}
