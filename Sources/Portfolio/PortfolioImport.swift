import Foundation
import Quant

/// The import's checks without storage, for `bourse bench portfolio`: the same parse, fingerprints and whole-ledger
/// validation as `POST …/import` runs before it stores anything.
public enum PortfolioImport {
    /// Parses `csv` and validates it as a new ledger dated no later than `today`; answers the rows read and the
    /// problems found (0 when the file would be stored whole).
    public static func check(csv: String, today: LocalDate) -> (rows: Int, problems: Int) {
        let parsed: [LedgerCSV.Row]
        do { parsed = try LedgerCSV.parseRows(csv) } catch { return (0, error.issues.count) }
        let transactions = parsed.map(\.transaction)
        let fingerprints = LedgerRules.fingerprints(transactions)
        let change = LedgerChange(inserts: zip(transactions, fingerprints).map { NewTransaction(transaction: $0, fingerprint: $1) })
        let errors = LedgerRules.check([], change, today: today) { i, field in "line \(parsed[i].line), column \(field)" }
        return (transactions.count, errors.count)
    }
}
