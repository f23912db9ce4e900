import ArgumentParser
import Foundation
import Quant
import ServiceKit
import Strategy

/// `bourse backtest --csv FILE --strategy sma-cross --set fast=50,slow=200`: the strategy service's engine on
/// price files, offline; prints the statistics.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest a built-in strategy or entry/exit rules on price CSV files, offline, and print the statistics.",
        discussion: """
            Each --csv file is one symbol (named by --symbols, else by the file name up to its first '-' or '.'), \
            with Date, Open, High, Low, Close and Volume columns. Conventions are the service's: a signal on a bar's \
            close fills at the next bar's open; equity is marked at each close; nothing is liquidated at the end \
            unless --liquidate. Bad input prints what is wrong to stderr and exits with status 2.
            """
    )

    @Option(name: .customLong("csv"), help: "A price CSV file (repeat for several symbols).")
    var files: [String]

    @Option(help: "Comma-separated symbol names, one per --csv (default: from the file names).")
    var symbols: String?

    @Option(help: "A built-in strategy (bourse backtest --list shows them).")
    var strategy: String = "sma-cross"

    @Option(name: .customLong("set"), help: "Built-in parameters, e.g. fast=50,slow=200.")
    var parameters: String?

    @Option(help: "Entry rule in the expression language (instead of a built-in), e.g. \"sma(close,50) crosses_above sma(close,200)\".")
    var entry: String?

    @Option(help: "Exit rule (with --entry); may use entry_price, bars_held and position.")
    var exit: String?

    @Option(help: "long or short (with --entry).")
    var side: String?

    @Option(help: "Starting cash.") var capital: Double = 100_000
    @Option(help: "Commission as a fraction of each fill's value, e.g. 0.001.") var fees: Double?
    @Option(help: "Slippage as a fraction of the price, e.g. 0.0005.") var slippage: Double?
    @Flag(help: "Allow short sales.") var short = false
    @Flag(help: "Close every position at the last close.") var liquidate = false
    @Flag(help: "Print the statistics as JSON.") var json = false
    @Option(help: "Also write the equity curve (date,equity,cash,exposure) to this file.") var equity: String?

    func run() throws {
        var parsed: [String: Double] = [:]
        for pair in (parameters ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let value = Double(parts[1]) else { fail("--set: '\(pair)' is not name=number") }
            parsed[parts[0]] = value
        }
        let names = symbols.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() } } ?? files.map(Self.symbol)
        guard names.count == files.count else { fail("--symbols names \(names.count) symbols for \(files.count) --csv files") }
        var series: [(symbol: String, bars: OHLCV)] = []
        for (file, name) in zip(files, names) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { fail("\(file): no such file or not UTF-8 text") }
            do { series.append((name, try PriceTable.parse(text, source: file).ohlcv())) } catch { fail(error.description) }
        }
        let report: OfflineBacktest.Report
        do {
            let backtest = try OfflineBacktest(builtin: entry == nil ? strategy : nil, parameters: parsed, entry: entry, exit: exit, side: side,
                                               symbols: names, capital: capital, feesPercent: fees, slippagePercent: slippage,
                                               allowShort: short, liquidateAtEnd: liquidate)
            report = try backtest.run(series)
        } catch let error as OfflineBacktest.Invalid {
            fail(error.description)
        } catch let error as QuantError {
            fail(error.description)
        }
        if let equity {
            do { try report.equityCSV.write(toFile: equity, atomically: true, encoding: .utf8) } catch { fail("\(equity): cannot be written") }
        }
        if json {
            let encoder = ServiceJSON.encoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: (try? encoder.encode(report.statistics)) ?? Data(), as: UTF8.self))
            return
        }
        guard case .object(let fields) = report.statistics else { return }
        let width = fields.keys.map(\.count).max() ?? 0
        for key in fields.keys.sorted() {
            let text: String
            switch fields[key]! {
            case .number(let x): text = x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.6g", x)
            case .string(let s): text = s
            case .null: text = "—"
            default: text = "\(fields[key]!)"
            }
            print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + text)
        }
        print("fills".padding(toLength: width, withPad: " ", startingAt: 0) + "  \(report.fills)")
        print("refusals".padding(toLength: width, withPad: " ", startingAt: 0) + "  \(report.refusals)")
    }

    /// `orcl-1995-2014.csv` → `ORCL`.
    static func symbol(_ path: String) -> String {
        let name = URL(fileURLWithPath: path).lastPathComponent
        return String(name.prefix { $0 != "-" && $0 != "." }).uppercased()
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(2)
    }
}
