import Crypto
import Foundation
import Quant
import ServiceKit

/// The checks every write passes before anything is stored: the whole ledger, as it would be after the change,
/// must validate (``Ledger``), so a change that breaks a later row (deleting the BUY a SELL needs) is refused too.
enum LedgerRules {
    /// The latest day that has begun anywhere (UTC+14): rows dated later are refused, so a trade recorded on its
    /// own day is never "in the future" for a user east of UTC.
    static func today(_ now: Date = Date()) -> LocalDate {
        LocalDate(daysSinceEpoch: Int(((now.timeIntervalSince1970 + 14 * 3600) / 86_400).rounded(.down)))
    }

    /// Field errors of the ledger `rows` would be after `change`: `name(i, field)` names a field of the i-th new
    /// row; problems that land on a stored row are named `/transactions/<id>/<field>`.
    static func check(_ rows: [StoredTransaction], _ change: LedgerChange, today: LocalDate,
                      name: (Int, String) -> String) -> [FieldError] {
        enum Origin { case stored(String), new(Int) }
        let deleted = Set(change.deletes)
        let updated = Dictionary(change.updates.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        var ledger: [Transaction] = []
        var origins: [Origin] = []
        ledger.reserveCapacity(rows.count + change.inserts.count)
        for row in rows where !deleted.contains(row.id) {
            ledger.append((updated[row.id] ?? row).transaction)
            origins.append(.stored(row.id))
        }
        for (i, row) in change.inserts.enumerated() {
            ledger.append(row.transaction)
            origins.append(.new(i))
        }
        return Ledger.validate(ledger, today: today).map { issue in
            switch origins[issue.index] {
            case .new(let i): return FieldError(field: name(i, issue.field), reason: issue.reason)
            case .stored(let id):
                let changed = updated[id] != nil
                return FieldError(field: "/transactions/\(id)/\(issue.field)",
                                  reason: changed ? issue.reason : "\(issue.reason) (a stored row, after this change)")
            }
        }
    }

    /// The fingerprint of each imported row: the SHA-256 of its normalized fields (date, type, symbol, exact numbers
    /// without trailing zeros, amount or cash effect, currency, trimmed note), then `-` and its occurrence among
    /// identical rows of the same file. Two identical trades in one file are both kept (occurrences 1 and 2) while
    /// importing the file again adds nothing.
    static func fingerprints(_ rows: [Transaction]) -> [String] {
        var seen: [String: Int] = [:]
        seen.reserveCapacity(rows.count)
        var out: [String] = []
        out.reserveCapacity(rows.count)
        for t in rows {
            var key = t.date.description
            for field in [
                t.type.rawValue, t.symbol, plainText(t.quantity), plainText(t.price), plainText(t.fee),
                plainText(t.amount ?? t.cashEffect), t.currency, t.note.trimmingCharacters(in: .whitespaces),
            ] {
                key += "\u{1f}"
                key += field
            }
            let digest = SHA256.hash(data: Data(key.utf8)).hexString
            let occurrence = seen[digest, default: 0] + 1
            seen[digest] = occurrence
            out.append("\(digest)-\(occurrence)")
        }
        return out
    }

    /// `value.description` (plain decimal text, no trailing zeros), several times faster for the common case of a
    /// significand below 2^53: Foundation's description costs about a microsecond, five times a row.
    static func plainText(_ value: Decimal) -> String {
        if value.isZero { return "0" }
        let significand = NSDecimalNumber(decimal: value.significand).doubleValue
        guard significand < 9_007_199_254_740_992, significand == significand.rounded(), abs(value.exponent) <= 40 else { return value.description }
        var m = Int64(significand), e = value.exponent
        while m % 10 == 0 {
            m /= 10
            e += 1
        }
        var digits = String(m)
        if e > 0 {
            digits += String(repeating: "0", count: e)
        } else if e < 0 {
            let point = digits.count + e
            digits = point > 0
                ? String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
                : "0." + String(repeating: "0", count: -point) + digits
        }
        return value.sign == .minus ? "-" + digits : digits
    }

    /// Currencies other than `base` used by `rows` (the engine has no FX conversion).
    static func foreignCurrencies(_ rows: [Transaction], base: String) -> [String] {
        Set(rows.map(\.currency).filter { $0 != base }).sorted()
    }
}
