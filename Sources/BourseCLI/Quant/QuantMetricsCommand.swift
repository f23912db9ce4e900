import ArgumentParser
import Foundation
import Quant

/// `bourse quant metrics --csv FILE [--column Close] [--benchmark FILE2] [--periods-per-year 252] [--risk-free 0]`:
/// prints one JSON object of performance and risk metrics.
struct QuantMetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Performance and risk metrics (empyrical conventions) of a price CSV, printed as one JSON object.",
        discussion: """
            Returns are simple close-to-close returns of --column over every row of --csv. Keys: cumulative_return, \
            annual_return (CAGR), annual_volatility (sample std x sqrt(periods)), sharpe, sortino, calmar, \
            max_drawdown (<= 0), var_95 and cvar_95 (historical, per period, negative = loss); with --benchmark also \
            beta and alpha (annualised). A value that is undefined for the data (e.g. Sharpe of a constant series) \
            is null.

            Benchmark alignment: the two files are inner-joined on the exact Date text, keeping only dates present \
            in both; beta and alpha use the returns between consecutive common dates of each file, so both returns \
            of a pair span the same interval. The other metrics use every row of --csv.

            Bad input (missing file, bad header, unparsable number) prints one line naming the file, row and column \
            to stderr and exits with status 2.
            """
    )

    @Option(help: "Price CSV file with a Date column (e.g. Yahoo's Date,Open,High,Low,Close,Adj Close,Volume).")
    var csv: String

    @Option(help: "Price column to compute returns from, in both files (case-insensitive).")
    var column: String = "Close"

    @Option(help: "Benchmark price CSV for beta and alpha, aligned by date.")
    var benchmark: String?

    @Option(help: "Return periods per year, for annualising (252 daily, 52 weekly, 12 monthly).")
    var periodsPerYear: Double = 252

    @Option(help: "Risk-free return per period (not annual), e.g. 0.0001 a day; Sharpe/Sortino/alpha subtract it.")
    var riskFree: Double = 0

    func validate() throws {
        guard periodsPerYear > 0, periodsPerYear.isFinite else { throw ValidationError("--periods-per-year must be a positive number") }
        guard riskFree > -1, riskFree.isFinite else { throw ValidationError("--risk-free must be a finite per-period return above -1") }
    }

    func run() throws {
        do {
            let (dates, prices) = try Self.load(csv, column: column)
            var exposure: BenchmarkExposure?
            if let benchmark {
                let (benchmarkDates, benchmarkPrices) = try Self.load(benchmark, column: column)
                let aligned = try Metrics.alignByDate(
                    dates: dates, prices: prices, benchmarkDates: benchmarkDates, benchmarkPrices: benchmarkPrices)
                guard aligned.dates.count >= 2 else {
                    throw QuantError(.invalidParameter, "\(benchmark): fewer than 2 dates in common with \(csv), no return to compare")
                }
                exposure = try Metrics.benchmarkExposure(
                    try Metrics.simpleReturns(prices: aligned.prices), benchmark: try Metrics.simpleReturns(prices: aligned.benchmark),
                    riskFree: riskFree, periodsPerYear: periodsPerYear)
            }
            let report = try PerformanceReport(
                returns: try Metrics.simpleReturns(prices: prices), periodsPerYear: periodsPerYear, riskFree: riskFree, level: 0.95)
            print(Self.json(report, exposure))
        } catch let error as QuantError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
    }

    /// Reads and parses one price file; every failure names the file (and row and column where there is one).
    static func load(_ path: String, column: String) throws(QuantError) -> (dates: [String], prices: [Double]) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read as UTF-8 text" : "no such file"
            throw QuantError(.parse, "\(path): \(reason)")
        }
        let table = try PriceTable.parse(text, source: path)
        let prices = try table.column(column)
        guard prices.count >= 2 else { throw QuantError(.parse, "\(path): row 3: need at least 2 rows of prices for a return") }
        if let bad = prices.firstIndex(where: { $0 <= 0 }) {
            // Row numbers count the header as row 1, as PriceTable's do.
            throw QuantError(.parse, "\(path): row \(bad + 2), column \(column): price \(prices[bad]) must be positive")
        }
        return (table.dates, prices)
    }

    /// The JSON object, keys in a fixed order, `null` for undefined values.
    static func json(_ report: PerformanceReport, _ exposure: BenchmarkExposure?) -> String {
        var fields: [(String, Double?)] = [
            ("cumulative_return", report.cumulativeReturn), ("annual_return", report.annualReturn),
            ("annual_volatility", report.annualVolatility), ("sharpe", report.sharpe), ("sortino", report.sortino),
            ("calmar", report.calmar), ("max_drawdown", report.maxDrawdown.depth),
            ("var_95", report.tailRisk.valueAtRisk), ("cvar_95", report.tailRisk.conditionalValueAtRisk),
        ]
        if let exposure { fields += [("beta", exposure.beta), ("alpha", exposure.alpha)] }
        // Swift's shortest round-trip description of a finite Double is valid JSON.
        let body = fields.map { key, value in "\"\(key)\": \(value.map { "\($0)" } ?? "null")" }
        return "{" + body.joined(separator: ", ") + "}"
    }
}
