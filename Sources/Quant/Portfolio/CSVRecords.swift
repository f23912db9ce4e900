/// RFC 4180 records: fields separated by commas, records by CRLF or LF, fields optionally in double quotes with
/// `""` for a quote inside; a quoted field may span lines. Each record keeps the line it starts on (1-based).
struct CSVRecords {
    struct Record {
        var line: Int
        var fields: [String]
    }

    /// The records of `text`, skipping blank lines; `nil` plus the line when a quoted field is never closed
    /// or a quote appears inside an unquoted field.
    static func parse(_ text: String) -> (records: [Record], error: (line: Int, reason: String)?) {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var inQuotes = false, wasQuoted = false
        let bytes = Array(text.utf8)
        var i = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
            } else {
                switch b {
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\r") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n"):
                    break
                case UInt8(ascii: "\n"):
                    endRecord()
                    line += 1
                    recordLine = line
                case UInt8(ascii: "\""):
                    guard field.isEmpty && !wasQuoted else { return (records, (line, "a quote inside an unquoted field")) }
                    inQuotes = true
                    wasQuoted = true
                default:
                    guard !wasQuoted else { return (records, (line, "text after a closing quote")) }
                    field.append(b)
                }
            }
            i += 1
        }
        if inQuotes { return (records, (recordLine, "a quoted field is never closed")) }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return (records, nil)
    }

    /// `value` quoted when it holds a comma, a quote or a line break.
    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
