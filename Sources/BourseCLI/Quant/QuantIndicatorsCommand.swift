import ArgumentParser
import Foundation
import Quant

/// `bourse quant indicators --csv FILE [--only sma,rsi,…]`: prints the indicator table as CSV.
struct QuantIndicatorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "Compute technical indicators (TA-Lib conventions) over a price CSV and print them as CSV.",
        discussion: """
            The input needs Date, Open, High, Low, Close and Volume columns (Yahoo's Adj Close is allowed and \
            ignored); indicators use Close. Cells are empty during an indicator's warm-up. Bad input prints one \
            line naming the file, row and column to stderr and exits with status 2.
            """
    )

    @Option(help: "Price CSV file (Date,Open,High,Low,Close[,Adj Close],Volume).")
    var csv: String

    @Option(help: "Comma-separated families: \(IndicatorTable.families.map(\.name).joined(separator: ",")) (default: all).")
    var only: String?

    func validate() throws {
        let valid = IndicatorTable.families.map(\.name)
        for name in selection where !valid.contains(name.lowercased()) {
            throw ValidationError("unknown indicator '\(name)'; valid names are \(valid.joined(separator: ", "))")
        }
    }

    private var selection: [String] {
        (only ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: csv, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: csv) ? "cannot be read as UTF-8 text" : "no such file"
            fail("\(csv): \(reason)")
        }
        do {
            let bars = try PriceTable.parse(text, source: csv).ohlcv()
            let table = try IndicatorTable(bars: bars, only: selection.isEmpty ? nil : selection)
            FileHandle.standardOutput.write(Data(table.csv().utf8))
        } catch {
            fail(error.description)
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(2)
    }
}
