import ArgumentParser
import Foundation
import Portfolio
import Quant
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// `bourse bench portfolio`: the portfolio engine on a generated ledger (default 100,000 rows over 50 symbols and
/// 20 years, with synthetic daily closes): the import's parse and validation, full performance, positions, and
/// the process's peak memory. In process, no HTTP and no database.
struct BenchPortfolioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portfolio",
        abstract: "Time the portfolio engine: CSV import parse+validate, full performance, positions; peak memory.")

    @Option(help: "Ledger rows.") var transactions: Int = 100_000
    @Option(help: "Symbols.") var symbols: Int = 50
    @Option(help: "Years of history.") var years: Int = 20
    @Option(help: "Repetitions of each timed step (the best is printed, with the median).") var repeats: Int = 5

    func run() throws {
        let start = LocalDate("2005-01-03")!
        let end = start.adding(years: years).adding(days: -1)
        let (ledger, closes) = Self.generate(rows: transactions, symbols: symbols, start: start, end: end)
        let csv = LedgerCSV.write(ledger)
        print(String(format: "ledger: %d rows, %d symbols, %@ … %@, %.1f MB of CSV; closes: %d per symbol",
                     ledger.count, symbols, start.description, end.description, Double(csv.utf8.count) / 1e6, closes.first?.value.count ?? 0))

        print(String(format: "peak memory after generating the inputs: %.1f MB", Self.peakMegabytes()))

        func time(_ name: String, target: Double, _ body: () throws -> Void) rethrows {
            var samples: [Double] = []
            for _ in 0..<max(1, repeats) {
                let t = ContinuousClock.now
                try body()
                samples.append((ContinuousClock.now - t).inSeconds * 1000)
            }
            samples.sort()
            let best = samples[0], median = samples[samples.count / 2]
            print(String(format: "%-34@ best %9.2f ms  median %9.2f ms  (target < %.0f ms) %@", name as NSString, best, median, target,
                         median < target ? "ok" : "SLOW"))
        }

        var stages: [PortfolioImport.Outcome] = []
        try time("import parse+validate (CSV)", target: 2000) {
            let outcome = PortfolioImport.check(csv: csv, today: end)
            guard outcome.rows == ledger.count, outcome.problems == 0 else {
                throw ValidationError("the generated ledger did not validate: \(outcome.problems) problems")
            }
            stages.append(outcome)
        }
        if let fastest = stages.min(by: { $0.parse + $0.fingerprints + $0.validation < $1.parse + $1.fingerprints + $1.validation }) {
            print(String(format: "  of which: parse %.2f ms, fingerprints %.2f ms, whole-ledger validation %.2f ms",
                         fastest.parse.inSeconds * 1000, fastest.fingerprints.inSeconds * 1000, fastest.validation.inSeconds * 1000))
        }
        let validated = try Ledger(ledger)
        let portfolio = Portfolio(ledger: validated, prices: PriceHistory(closes))
        var summary: PerformanceSummary?
        try time("performance (max, with by_year)", target: 200) {
            summary = try portfolio.performance(DateRange(from: start, to: end))
        }
        var holdings: Holdings?
        time("positions (holdings at the end)", target: 20) {
            holdings = portfolio.holdings(at: end)
        }
        if let summary, let holdings {
            print(String(format: "check: value %@, TWR %.4f, XIRR %@, %d open positions, %d open lots", "\(holdings.value)", summary.twr,
                         summary.xirr.map { String(format: "%.4f", $0) } ?? "n/a", holdings.positions.filter { $0.quantity != 0 }.count, holdings.lots.count))
        }
        let megabytes = Self.peakMegabytes()
        print(String(format: "peak memory (maxrss): %.1f MB (target < 200 MB) %@", megabytes, megabytes < 200 ? "ok" : "HIGH"))
    }

    /// The process's peak resident memory so far (`getrusage` maxrss).
    static func peakMegabytes() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_048_576  // bytes on macOS
        #endif
    }

    /// A valid ledger: one deposit, then buys, sells of shares held, dividends, fees and interest spread over the
    /// period; weekday closes per symbol from a deterministic random walk (cents).
    static func generate(rows: Int, symbols count: Int, start: LocalDate, end: LocalDate)
        -> ([Transaction], [String: [(date: LocalDate, close: Decimal)]]) {
        var rng = SplitMix(seed: 42)
        let names = (0..<count).map { "S\($0)" }
        let days = start.days(to: end) + 1
        var cents = [[Int]](repeating: [], count: count)
        var closes: [String: [(date: LocalDate, close: Decimal)]] = [:]
        for (i, name) in names.enumerated() {
            var p = 1_000 + Int(rng.next() % 19_000)
            var series: [(date: LocalDate, close: Decimal)] = []
            series.reserveCapacity(days * 5 / 7 + 1)
            cents[i].reserveCapacity(days)
            for d in 0..<days {
                let date = start.adding(days: d)
                if date.weekday <= 5 {
                    p = max(100, p + p * (Int(rng.next() % 401) - 199) / 10_000)  // ±2 %, drift ≈ 2.5 % a year
                    series.append((date, Decimal(p) / 100))
                }
                cents[i].append(p)
            }
            closes[name] = series
        }
        var out: [Transaction] = []
        out.reserveCapacity(rows)
        out.append(Transaction(date: start, type: .deposit, symbol: "CASH", amount: 50_000_000))
        var held = [Int](repeating: 0, count: count)
        let dayOf = (0..<(rows - 1)).map { _ in Int(rng.next() % UInt64(days)) }.sorted()
        for d in dayOf {
            let date = start.adding(days: d)
            let s = Int(rng.next() % UInt64(count))
            let price = Decimal(cents[s][d]) / 100
            switch rng.next() % 20 {
            case 0..<11:
                let q = 1 + Int(rng.next() % 50)
                held[s] += q
                out.append(Transaction(date: date, type: .buy, symbol: names[s], quantity: Decimal(q), price: price, fee: Decimal(1 + Int(rng.next() % 9))))
            case 11..<17 where held[s] > 0:
                let q = 1 + Int(rng.next() % UInt64(held[s]))
                held[s] -= q
                out.append(Transaction(date: date, type: .sell, symbol: names[s], quantity: Decimal(q), price: price, fee: Decimal(1 + Int(rng.next() % 9))))
            case 17 where held[s] > 0:
                out.append(Transaction(date: date, type: .dividend, symbol: names[s], quantity: Decimal(held[s]), price: Decimal(Int(rng.next() % 50)) / 100))
            case 18:
                out.append(Transaction(date: date, type: .fee, symbol: "CASH", fee: Decimal(Int(rng.next() % 2_000)) / 100))
            default:
                out.append(Transaction(date: date, type: .interest, symbol: "CASH", quantity: 1, price: Decimal(Int(rng.next() % 10_000)) / 100))
            }
        }
        return (out, closes)
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
