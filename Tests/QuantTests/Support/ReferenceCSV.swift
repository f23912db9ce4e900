import Foundation
import Testing

/// Locates the repository's shared fixtures and reads the reference CSV files used by the indicator tests.
///
/// `Tests/Fixtures` holds the data several test targets read (price files, StockCharts sheets; its README says
/// where each came from). A missing file is a test failure, never a skip.
enum IndicatorTestData {
    /// `<repo>/Tests/Fixtures`, computed from this file's path (`<repo>/Tests/QuantTests/Support/ReferenceCSV.swift`).
    static let sharedData: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Tests").appendingPathComponent("Fixtures")

    /// Fixtures committed with the tests (`Tests/QuantTests/Fixtures`).
    static let fixtures: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Text of `Tests/Fixtures/<folder>/<name>`; throws (failing the test) when the file is absent.
    static func sharedText(_ folder: String, _ name: String) throws -> String {
        let url = sharedData.appendingPathComponent(folder).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingTestData(path: url.path)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    struct MissingTestData: Error, CustomStringConvertible {
        let path: String
        var description: String { "missing test data \(path): see Tests/Fixtures/README.md" }
    }
}

/// A loosely typed CSV (the StockCharts spreadsheets and the TA-Lib fixture): header names and cells, with
/// empty cells read as `nil`. Duplicate header names get pandas' `.1` suffix.
struct ReferenceCSV {
    let header: [String]
    let rows: [[String]]

    init(text: String) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
            String(line.last == "\r" ? line.dropLast() : line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        var names: [String] = []
        for raw in lines[0].split(separator: ",", omittingEmptySubsequences: false) {
            let name = raw.trimmingCharacters(in: .whitespaces)
            names.append(names.contains(name) ? name + ".1" : name)
        }
        header = names
        rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func stockCharts(_ name: String) throws -> ReferenceCSV {
        ReferenceCSV(text: try IndicatorTestData.sharedText("stockcharts", name))
    }

    var count: Int { rows.count }

    /// Values of a column; blank or unparsable cells are `nil`.
    func optionals(_ name: String) -> [Double?] {
        guard let index = header.firstIndex(of: name) else {
            Issue.record("no column \(name) in \(header)")
            return []
        }
        return rows.map { index < $0.count ? Double($0[index].trimmingCharacters(in: .whitespaces)) : nil }
    }

    /// Values of a column that must be filled on every row (blank → NaN, which fails any comparison).
    func values(_ name: String) -> [Double] { optionals(name).map { $0 ?? .nan } }
}
