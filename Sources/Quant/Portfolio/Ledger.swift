import Foundation

/// A validated ledger: transactions in date order (rows of one day keep their input order), ready for the
/// accounting engine.
///
/// Validation is a pure function of the rows and `today`: every row's own checks (``Transaction/issues``), no
/// date after `today`, and no SELL or TRANSFER_OUT of more shares than held at that point (after splits).
/// Cash may go negative (a margin account); that is not refused.
public struct Ledger: Sendable {
    /// The rows, stably sorted by date.
    public let transactions: [Transaction]
    /// The securities named by the rows, in order of first appearance.
    public let symbols: [String]
    let rows: CompiledRows

    /// Validates and sorts `transactions`; throws every problem at once. `today` (if given) refuses later dates.
    public init(_ transactions: [Transaction], today: LocalDate? = nil) throws(LedgerError) {
        let (sorted, order, symbols, rows) = Ledger.compile(transactions)
        var issues = Ledger.rowIssues(sorted, order: order, rows: rows, today: today)
        issues += Ledger.holdingIssues(rows, order: order, symbols: symbols)
        guard issues.isEmpty else { throw LedgerError(issues: issues.sorted { ($0.index, $0.field) < ($1.index, $1.field) }) }
        self.transactions = sorted
        self.symbols = symbols
        self.rows = rows
    }

    /// Every problem with `transactions` (indices are positions in the input); empty when the ledger is valid.
    public static func validate(_ transactions: [Transaction], today: LocalDate? = nil) -> [LedgerIssue] {
        do {
            _ = try Ledger(transactions, today: today)
            return []
        } catch {
            return error.issues
        }
    }

    /// The same ledger computed in `Decimal` throughout (tests compare it with the ``Fixed64`` path).
    func forcingDecimal() -> Ledger { Ledger(transactions: transactions, symbols: symbols, rows: .decimal(decimalRows())) }

    private init(transactions: [Transaction], symbols: [String], rows: CompiledRows) {
        self.transactions = transactions
        self.symbols = symbols
        self.rows = rows
    }

    /// The rows in exact arithmetic: ``Fixed64`` when every number fits, otherwise `Decimal`.
    enum CompiledRows: Sendable {
        case fixed([Row<Fixed64>])
        case decimal([Row<Decimal>])
    }

    /// One transaction with its symbol interned (`-1` for cash) and its numbers converted once.
    struct Row<N: LedgerNumber>: Sendable {
        var day: Int
        var type: TransactionType
        var symbol: Int
        var quantity: N
        var price: N
        var fee: N
        var cash: N
        var flow: N
        var flowDouble: Double
        var priceDecimal: Decimal
    }

    func decimalRows() -> [Row<Decimal>] {
        switch rows {
        case .decimal(let rows): return rows
        case .fixed: return rows.decimalFallback()
        }
    }

    private static func compile(_ transactions: [Transaction]) -> ([Transaction], [Int], [String], CompiledRows) {
        let order = transactions.indices.sorted { (transactions[$0].date, $0) < (transactions[$1].date, $1) }
        let sorted = order.map { transactions[$0] }
        var symbols: [String] = []
        var index: [String: Int] = [:]
        for t in sorted where t.symbol != Transaction.cashSymbol {
            if index[t.symbol] == nil {
                index[t.symbol] = symbols.count
                symbols.append(t.symbol)
            }
        }
        if let fixed: [Row<Fixed64>] = makeRows(sorted, symbols: index) { return (sorted, order, symbols, .fixed(fixed)) }
        return (sorted, order, symbols, .decimal(makeRows(sorted, symbols: index)!))
    }

    static func makeRows<N: LedgerNumber>(_ sorted: [Transaction], symbols: [String: Int]) -> [Row<N>]? {
        var rows: [Row<N>] = []
        rows.reserveCapacity(sorted.count)
        for t in sorted {
            guard let q = N(exactly: t.quantity), let p = N(exactly: t.price), let f = N(exactly: t.fee) else { return nil }
            var cash = N.zero, flow = N.zero
            do {
                switch t.type {
                case .deposit, .withdrawal:
                    guard let a = N(exactly: t.amount ?? 0) else { return nil }
                    cash = a
                    flow = a
                case .buy: cash = try q.times(p).plus(f).negated
                case .sell, .dividend, .interest: cash = try q.times(p).minus(f)
                case .fee, .tax: cash = f.negated
                case .transferIn: flow = try q.times(p)
                case .transferOut: flow = try q.times(p).negated
                case .split: break
                }
            } catch {
                return nil
            }
            rows.append(
                Row(day: t.date.daysSinceEpoch, type: t.type, symbol: symbols[t.symbol] ?? -1, quantity: q, price: p, fee: f,
                    cash: cash, flow: flow, flowDouble: flow.double, priceDecimal: t.price))
        }
        return rows
    }

    private static func rowIssues(_ sorted: [Transaction], order: [Int], rows: CompiledRows, today: LocalDate?) -> [LedgerIssue] {
        var issues: [LedgerIssue] = []
        for (i, t) in sorted.enumerated() {
            // The full check compares Decimals (slow on Linux); a plain BUY or SELL needs only sign tests.
            let plainTrade = (t.type == .buy || t.type == .sell) && t.amount == nil && !t.symbol.isEmpty
                && t.symbol != Transaction.cashSymbol && !t.quantity.isSignMinus && !t.quantity.isZero
                && !t.price.isSignMinus && !t.fee.isSignMinus
            if !plainTrade {
                for var issue in t.issues {
                    issue.index = order[i]
                    issues.append(issue)
                }
            }
            if let today, t.date > today {
                issues.append(LedgerIssue(index: order[i], field: "date", reason: "\(t.date) is after today (\(today))"))
            }
        }
        return issues
    }

    private static func holdingIssues(_ rows: CompiledRows, order: [Int], symbols: [String]) -> [LedgerIssue] {
        func check<N: LedgerNumber>(_ rows: [Row<N>]) throws(LedgerOverflow) -> [LedgerIssue] {
            var held = [N](repeating: .zero, count: symbols.count)
            var issues: [LedgerIssue] = []
            for (i, row) in rows.enumerated() where row.symbol >= 0 {
                switch row.type {
                case .buy, .transferIn: held[row.symbol] = try held[row.symbol].plus(row.quantity)
                case .split: held[row.symbol] = try held[row.symbol].times(row.quantity)
                case .sell, .transferOut:
                    if row.quantity > held[row.symbol] {
                        issues.append(LedgerIssue(
                            index: order[i], field: "quantity",
                            reason: "\(row.type.rawValue) of \(row.quantity.decimal) \(symbols[row.symbol]) but only \(held[row.symbol].decimal) held"))
                    } else {
                        held[row.symbol] = try held[row.symbol].minus(row.quantity)
                    }
                default: break
                }
            }
            return issues
        }
        switch rows {
        case .fixed(let fixed):
            if let issues = try? check(fixed) { return issues }
            return (try? check(rows.decimalFallback())) ?? []
        case .decimal(let decimal):
            return (try? check(decimal)) ?? []
        }
    }
}

extension Ledger.CompiledRows {
    func decimalFallback() -> [Ledger.Row<Decimal>] {
        switch self {
        case .decimal(let rows): return rows
        case .fixed(let rows):
            return rows.map {
                Ledger.Row(
                    day: $0.day, type: $0.type, symbol: $0.symbol, quantity: $0.quantity.decimal, price: $0.price.decimal,
                    fee: $0.fee.decimal, cash: $0.cash.decimal, flow: $0.flow.decimal, flowDouble: $0.flowDouble, priceDecimal: $0.priceDecimal)
            }
        }
    }
}
