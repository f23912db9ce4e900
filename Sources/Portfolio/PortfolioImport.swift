import Foundation
import Quant

/// The import's checks without storage, for `bourse bench portfolio`: the same parse, fingerprints and whole-ledger
/// validation as `POST …/import` runs before it stores anything.
public enum PortfolioImport {
    /// What ``check(csv:today:)`` found, and how long each stage took.
    public struct Outcome: Sendable {
        public var rows: Int
        /// Problems found (0 when the file would be stored whole).
        public var problems: Int
        public var parse: Duration
        public var fingerprints: Duration
        public var validation: Duration
    }

    /// Parses `csv` and validates it as a new ledger dated no later than `today`.
    public static func check(csv: String, today: LocalDate) -> Outcome {
        let t0 = ContinuousClock.now
        let parsed: [LedgerCSV.Row]
        do { parsed = try LedgerCSV.parseRows(csv) } catch {
            return Outcome(rows: 0, problems: error.issues.count, parse: .now - t0, fingerprints: .zero, validation: .zero)
        }
        let t1 = ContinuousClock.now
        let lines = parsed.map(\.line)
        let fingerprints = LedgerRules.fingerprints(parsed.map(\.transaction))
        let change = LedgerChange(inserts: zip(parsed, fingerprints).map { NewTransaction(transaction: $0.transaction, fingerprint: $1) })
        let t2 = ContinuousClock.now
        let errors = LedgerRules.check([], change, today: today) { i, field in "line \(lines[i]), column \(field)" }
        return Outcome(rows: change.inserts.count, problems: errors.count, parse: t1 - t0, fingerprints: t2 - t1, validation: .now - t2)
    }
}
