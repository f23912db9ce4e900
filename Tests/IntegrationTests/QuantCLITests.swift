import Foundation
import Testing

/// `bourse quant …` on the real price files in Tests/Fixtures/prices, through the real binary.
@Suite struct QuantCLITests {
    static let prices = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/prices")

    static let files = ["orcl-1995-2014.csv", "yhoo-1996-2014.csv", "nvda-1999-2014.csv"]

    @Test(arguments: files)
    func indicatorsPrintOneRowPerInputRowWithEmptyWarmUpCells(file: String) throws {
        let path = Self.prices.appendingPathComponent(file).path
        let input = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline)
        let (status, output) = try BourseProcess.run(BourseProcess.binary.path, ["quant", "indicators", "--csv", path], input: "")
        #expect(status == 0)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == input.count)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(header.first == "Date")
        #expect(header.contains("SMA_20") && header.contains("ADX_14") && header.contains("OBV"))
        let sma = try #require(header.firstIndex(of: "SMA_20"))
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.allSatisfy { $0.count == header.count })
        // SMA_20 is empty for the first 19 rows and a finite number from the 20th on.
        #expect(rows.prefix(19).allSatisfy { $0[sma].isEmpty })
        #expect(rows.dropFirst(19).allSatisfy { Double($0[sma]).map(\.isFinite) == true })
    }

    @Test(arguments: files)
    func metricsPrintOneJSONObjectWithEveryKey(file: String) throws {
        let path = Self.prices.appendingPathComponent(file).path
        let benchmark = Self.prices.appendingPathComponent("orcl-1995-2014.csv").path
        let (status, output) = try BourseProcess.run(
            BourseProcess.binary.path, ["quant", "metrics", "--csv", path, "--benchmark", benchmark], input: "")
        #expect(status == 0, "\(output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        for key in ["cumulative_return", "annual_return", "annual_volatility", "sharpe", "sortino", "calmar",
                    "max_drawdown", "var_95", "cvar_95", "beta", "alpha"] {
            #expect(object[key] is Double, "\(key) missing or not a number")
        }
        #expect((object["max_drawdown"] as? Double ?? 1) <= 0)
    }

    @Test func badInputExitsWithStatus2AndOneLineNamingFileRowAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quant-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bad = dir.appendingPathComponent("bad.csv")
        try "Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,100\n2020-01-03,1,abc,0.5,1.5,100\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        var (status, output) = try BourseProcess.run(BourseProcess.binary.path, ["quant", "indicators", "--csv", bad.path], input: "")
        #expect(status == 2)
        let line = output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!line.contains("\n"))
        #expect(line.contains("bad.csv") && line.contains("3") && line.contains("High"))
        (status, output) = try BourseProcess.run(BourseProcess.binary.path, ["quant", "metrics", "--csv", dir.appendingPathComponent("missing.csv").path], input: "")
        #expect(status == 2)
        #expect(output.contains("missing.csv"))
    }
}
