import Foundation
import Quant

/// The real price files of `Tests/Fixtures/prices` (see its README), parsed once.
public enum PriceFiles {
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests").appendingPathComponent("Fixtures").appendingPathComponent("prices")

    public static let files = ["ORCL": "orcl-1995-2014.csv", "NVDA": "nvda-1999-2014.csv", "YHOO": "yhoo-1996-2014.csv"]

    public static func bars(_ symbol: String) throws -> OHLCV {
        let url = directory.appendingPathComponent(files[symbol]!)
        return try PriceTable.parse(try String(contentsOf: url, encoding: .utf8), source: url.path).ohlcv()
    }

    /// The three files by symbol (empty where a file is missing: the tests that use it then fail).
    public static let all: [String: OHLCV] = {
        var out: [String: OHLCV] = [:]
        for symbol in files.keys { out[symbol] = try? bars(symbol) }
        return out
    }()

    /// The bars of `symbol` within `from...to` (ISO dates, inclusive).
    public static func bars(_ symbol: String, from: String = "0000", to: String = "9999") throws -> OHLCV {
        let b = try bars(symbol)
        let keep = b.dates.indices.filter { b.dates[$0] >= from && b.dates[$0] <= to }
        return try OHLCV(dates: keep.map { b.dates[$0] }, open: keep.map { b.open[$0] }, high: keep.map { b.high[$0] },
                         low: keep.map { b.low[$0] }, close: keep.map { b.close[$0] }, volume: keep.map { b.volume[$0] })
    }
}
