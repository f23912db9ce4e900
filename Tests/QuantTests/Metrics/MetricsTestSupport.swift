import Foundation
import Quant
import Testing

/// Expects `actual` within `relative` of `expected` (with an absolute floor for values near zero);
/// `nil` (an undefined metric, JSON null in the fixtures) must match `nil`.
func expectClose(
    _ actual: Double?, _ expected: Double?, relative: Double = 1e-9, absolute: Double = 1e-14, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    switch (actual, expected) {
    case (nil, nil):
        return
    case (let a?, let e?):
        let tolerance = max(absolute, relative * abs(e))
        #expect(abs(a - e) <= tolerance, "\(label): \(a) vs reference \(e)", sourceLocation: sourceLocation)
    default:
        Issue.record("\(label): \(String(describing: actual)) vs reference \(String(describing: expected))", sourceLocation: sourceLocation)
    }
}

enum MetricsTestData {
    /// Close-to-close simple returns of `Tests/Fixtures/prices/<file>`, and the price rows' dates.
    static func closeReturns(_ file: String) throws -> (dates: [String], prices: [Double], returns: [Double]) {
        let table = try PriceTable.parse(try IndicatorTestData.sharedText("prices", file), source: file)
        let prices = try table.column("Close")
        return (table.dates, prices, try Metrics.simpleReturns(prices: prices))
    }

    /// Returns of two price files over the dates both hold (price-level inner join, then returns).
    static func alignedReturns(_ file: String, benchmark: String) throws -> (dates: [String], returns: [Double], benchmark: [Double]) {
        let a = try PriceTable.parse(try IndicatorTestData.sharedText("prices", file), source: file)
        let b = try PriceTable.parse(try IndicatorTestData.sharedText("prices", benchmark), source: benchmark)
        let aligned = try Metrics.alignByDate(
            dates: a.dates, prices: try a.column("Close"), benchmarkDates: b.dates, benchmarkPrices: try b.column("Close"))
        return (aligned.dates, try Metrics.simpleReturns(prices: aligned.prices), try Metrics.simpleReturns(prices: aligned.benchmark))
    }

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: IndicatorTestData.fixtures.appendingPathComponent(name))
    }
}

/// Seeded generator for property tests, so a failure reproduces.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    /// `count` returns uniform in ±`spread`, with some repeated values so ties occur.
    mutating func returns(_ count: Int, spread: Double = 0.03) -> [Double] {
        (0..<count).map { _ in (Double.random(in: -spread...spread, using: &self) * 1e4).rounded() / 1e4 }
    }
}
