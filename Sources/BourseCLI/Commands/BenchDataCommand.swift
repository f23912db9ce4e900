import ArgumentParser
import Foundation
import Logging
import MarketData
import Quant
import ServiceKit

/// `bourse bench data`: the `data` service's bar store — bulk insert rate and 10-year range query latency —
/// on SQLite or PostgreSQL, in process (no HTTP).
struct BenchDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Time the bar store: bulk inserts (bars/s) and 10-year range queries (p50/p99).")

    @Option(help: "Bars to insert (10-year daily series of 2,520 bars per symbol).") var bars: Int = 1_008_000
    @Option(help: "Database URL (default: a fresh SQLite file in a temporary directory).") var databaseURL: String?
    @Option(help: "Range queries to time.") var queries: Int = 200

    func run() async throws {
        let perSymbol = 2520
        let symbols = max(1, bars / perSymbol)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bourse-bench-\(UUID().uuidString)").path
        let url = databaseURL ?? "sqlite://\(dir)/data.sqlite"
        let database = try await Database.open(url: url, dataDir: dir, service: "bench_data_\(UInt32.random(in: 0...UInt32.max))", logger: logger)
        try await Migrator(database: database, migrations: MarketDataService.descriptor.migrations).up()
        let repository = BarRepository(database: database)
        let series = Self.series(count: perSymbol)

        let start = ContinuousClock.now
        for s in 0..<symbols {
            try await repository.insert(symbol: "S\(s)", bars: series)
        }
        let elapsed = ContinuousClock.now - start
        let total = symbols * perSymbol
        print(String(format: "insert %@ %d bars in %.2f s: %.0f bars/s (one transaction per %d-bar series, %d-row statements)",
                     database.engine.rawValue, total, elapsed.inSeconds, Double(total) / elapsed.inSeconds, perSymbol, BarRepository.batchRows))

        var latencies: [Double] = []
        for q in 0..<queries {
            let t = ContinuousClock.now
            let result = try await repository.range(symbol: "S\(q % symbols)", from: "2000-01-01", to: "2009-12-31")
            latencies.append((ContinuousClock.now - t).inSeconds * 1000)
            if result.count != perSymbol { print("unexpected \(result.count) bars") }
        }
        latencies.sort()
        print(String(format: "range %@ 10 years (%d bars) x %d: p50 %.2f ms, p99 %.2f ms", database.engine.rawValue, perSymbol, queries,
                     latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)]))
        await database.close()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Ten years of weekday bars from 2000-01-03 (2,520 bars: 2000-01-03 … 2009-08-31).
    static func series(count: Int) -> [DailyBar] {
        var bars: [DailyBar] = []
        var day = Resampler.daysSinceEpoch("2000-01-03")!
        var price = 100.0
        while bars.count < count {
            if (day + 4) % 7 < 5 {  // Monday…Friday
                let date = Resampler.isoDate(daysSinceEpoch: day)
                price *= 1 + Double((bars.count * 7919) % 200 - 100) / 10_000
                bars.append(DailyBar(date: date, open: price, high: price * 1.01, low: price * 0.99, close: price,
                                     adjClose: price, volume: Double(1_000_000 + bars.count)))
            }
            day += 1
        }
        return bars
    }
}
