import Foundation
import Testing

@testable import Quant

/// Hand-built bars and a scripted strategy for the engine tests.
enum EngineFixture {
    /// One symbol's bars from `(open, high, low, close, volume)` rows on consecutive days from 2024-01-01.
    static func ohlcv(_ rows: [(Double, Double, Double, Double, Double)], from start: Int = 0) throws -> OHLCV {
        let first = LocalDate(year: 2024, month: 1, day: 1)!
        return try OHLCV(
            dates: rows.indices.map { first.adding(days: start + $0).description }, open: rows.map(\.0), high: rows.map(\.1),
            low: rows.map(\.2), close: rows.map(\.3), volume: rows.map(\.4))
    }

    static func bars(_ rows: [(Double, Double, Double, Double, Double)]) throws -> MarketBars {
        try MarketBars([("X", try ohlcv(rows))])
    }

    /// A price file of `Tests/Fixtures/prices` as bars.
    static func priceFile(_ name: String) throws -> OHLCV {
        let csv = ReferenceCSV(text: try IndicatorTestData.sharedText("prices", name))
        return try OHLCV(
            dates: csv.rows.map { $0[0] }, open: csv.values("Open"), high: csv.values("High"), low: csv.values("Low"),
            close: csv.values("Close"), volume: csv.values("Volume"))
    }
}

/// Submits given orders on given bars (in `onBar`, or in `beforeClose`) and cancels given ids.
struct ScriptedStrategy: TradingStrategy {
    var onBarOrders: [Int: [Order]] = [:]
    var beforeCloseOrders: [Int: [Order]] = [:]
    var cancels: [Int: [OrderID]] = [:]
    var submitted: [OrderID] = []
    /// `context.openOrders.count` seen in each `onBar` (after the bar's fills, before new orders).
    var openCounts: [Int] = []

    mutating func onBar(_ context: inout StrategyContext) {
        openCounts.append(context.openOrders.count)
        for id in cancels[context.bar] ?? [] { context.cancel(id) }
        for order in onBarOrders[context.bar] ?? [] { submitted.append(context.submit(order)) }
    }

    mutating func beforeClose(_ context: inout StrategyContext) {
        for order in beforeCloseOrders[context.bar] ?? [] { submitted.append(context.submit(order)) }
    }
}

func expectClose(_ a: Double, _ b: Double, relative: Double = 1e-9, _ what: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let scale = Swift.max(a.magnitude, b.magnitude, 1e-300)
    #expect((a - b).magnitude <= relative * scale || a == b, "\(what()) \(a) vs \(b)", sourceLocation: sourceLocation)
}
