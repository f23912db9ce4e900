import Foundation

/// Writes a JSON value as block-style YAML 1.2 with sorted keys. Every string is a double-quoted scalar with
/// JSON's escapes (valid YAML), so no value can be misread as a number, a boolean or YAML syntax.
enum YAMLWriter {
    static func write(_ value: JSONValue) -> String {
        var out = ""
        emit(value, indent: 0, into: &out)
        return out
    }

    private static func emit(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let members) where !members.isEmpty:
            for key in members.keys.sorted() {
                let member = members[key]!
                out += pad + quoted(key) + ":"
                if member.isBlock {
                    out += "\n"
                    emit(member, indent: indent + 2, into: &out)
                } else {
                    out += " " + scalar(member) + "\n"
                }
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                if item.isBlock {
                    // "- " then the block's first line on the same line, the rest indented under it.
                    var block = ""
                    emit(item, indent: indent + 2, into: &block)
                    out += pad + "- " + block.dropFirst(indent + 2)
                } else {
                    out += pad + "- " + scalar(item) + "\n"
                }
            }
        default:
            out += pad + scalar(value) + "\n"
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e15 { return String(Int64(n)) }
            return n.isFinite ? String(n) : "null"
        case .string(let s): return quoted(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    private static func quoted(_ s: String) -> String {
        let data = (try? encoder.encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONValue {
    /// Non-empty objects and arrays are written as blocks; everything else fits on its key's line.
    fileprivate var isBlock: Bool {
        switch self {
        case .object(let o): return !o.isEmpty
        case .array(let a): return !a.isEmpty
        default: return false
        }
    }
}
