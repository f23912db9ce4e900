import Foundation

/// Reads one record into a ``Transaction``, collecting every bad cell.
struct RowReader {
    let record: CSVRecords.Record
    let header: [String]
    let columns: [LedgerField: Int]
    var issues: [CSVIssue] = []

    init(record: CSVRecords.Record, header: [String], columns: [LedgerField: Int]) {
        self.record = record
        self.header = header
        self.columns = columns
    }

    func cell(_ field: LedgerField) -> String? {
        columns[field].map { record.fields[$0].trimmingCharacters(in: .whitespaces) }
    }

    func columnName(_ field: LedgerField) -> String { columns[field].map { header[$0] } ?? field.rawValue }

    mutating func fail(_ field: LedgerField, _ reason: String) {
        issues.append(CSVIssue(line: record.line, column: columnName(field), reason: reason))
    }

    mutating func number(_ field: LedgerField, required: Bool) -> Decimal? {
        guard let text = cell(field), !text.isEmpty else {
            if required { fail(field, "is empty") }
            return nil
        }
        guard let value = LedgerCSV.decimal(text) else {
            fail(field, "\"\(text)\" is not a number")
            return nil
        }
        return value
    }

    mutating func transaction(ghostfolio: Bool, defaultCurrency: String) -> Transaction? {
        let dateText = cell(.date) ?? ""
        let date = LedgerCSV.date(dateText)
        if date == nil { fail(.date, dateText.isEmpty ? "is empty" : "\"\(dateText)\" is not a date in a known format") }
        let typeText = cell(.type) ?? ""
        let type = TransactionType(parsing: typeText)
        if type == nil {
            switch typeText.lowercased() {
            case "liability": fail(.type, "liabilities are not tracked by the portfolio ledger")
            case "item": fail(.type, "a manual item (a valuable without a market price) is not a ledger transaction")
            default: fail(.type, typeText.isEmpty ? "is empty" : "\"\(typeText)\" is not a transaction type")
            }
        }
        var symbol = cell(.symbol) ?? ""
        if symbol.isEmpty { fail(.symbol, "is empty") }
        var quantity = number(.quantity, required: true)
        var price = number(.price, required: true)
        var fee = number(.fee, required: false) ?? 0
        let amount = number(.amount, required: false)
        let currency = cell(.currency).flatMap { $0.isEmpty ? nil : $0 } ?? defaultCurrency
        guard issues.isEmpty, let date, let type, let q = quantity, let p = price else { return nil }
        if ghostfolio {
            switch type {
            case .fee:
                fee = fee.isZero ? q * p : fee
                (symbol, quantity, price) = (Transaction.cashSymbol, 0, 0)
            case .interest:
                (symbol, quantity, price) = (Transaction.cashSymbol, 1, q * p)
            default:
                break
            }
        }
        let t = Transaction(
            date: date, type: type, symbol: symbol, quantity: quantity ?? q, price: price ?? p, fee: fee, currency: currency,
            amount: amount, note: cell(.note) ?? "")
        for issue in t.issues { fail(LedgerField(rawValue: issue.field) ?? .type, issue.reason) }
        return issues.isEmpty ? t : nil
    }
}

extension LedgerCSV {
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// `text` as an exact Decimal when it is `[+-]digits[.digits]` (or `.digits`), else `nil`.
    ///
    /// Up to 18 significant digits are read straight into the significand (`Decimal(string:)` costs microseconds a
    /// call on Linux: an import of 100,000 rows made half a million of them); longer numbers go through it.
    static func decimal(_ text: String) -> Decimal? {
        var digits = 0, dots = 0, fraction = 0
        var significand: UInt64 = 0
        var negative = false
        for (i, c) in text.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                if dots == 1 { fraction += 1 }
                if digits <= 18 { significand = significand * 10 + UInt64(c - UInt8(ascii: "0")) }
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                if i != 0 { return nil }
                negative = c == UInt8(ascii: "-")
            default: return nil
            }
        }
        guard digits > 0, dots <= 1 else { return nil }
        guard digits <= 18 else { return Decimal(string: text, locale: posix) }
        let magnitude = Decimal(sign: .plus, exponent: -fraction, significand: Decimal(significand))
        return negative && significand != 0 ? -magnitude : magnitude
    }

    /// A date in one of the accepted formats (see ``LedgerCSV``).
    static func date(_ text: String) -> LocalDate? {
        let c = Array(text.utf8)
        func int(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= c.count else { return nil }
            var n = 0
            for byte in c[r] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return n
        }
        let dash = UInt8(ascii: "-")
        if c.count >= 10, c[4] == dash, c[7] == dash, c.count == 10 || c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: " ") {
            guard let y = int(0..<4), let m = int(5..<7), let d = int(8..<10) else { return nil }
            return LocalDate(year: y, month: m, day: d)
        }
        if c.count == 10, c[2] == c[5], [dash, UInt8(ascii: "/"), UInt8(ascii: ".")].contains(c[2]),
           let d = int(0..<2), let m = int(3..<5), let y = int(6..<10) {
            return LocalDate(year: y, month: m, day: d)
        }
        if c.count == 8, let y = int(0..<4), let m = int(4..<6), let d = int(6..<8) {
            return LocalDate(year: y, month: m, day: d)
        }
        return nil
    }
}
