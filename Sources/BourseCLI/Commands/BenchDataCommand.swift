import ArgumentParser
import Foundation
import Logging
import MarketData
import Quant
import ServiceKit

/// `bourse bench data`: the `data` service's bar store — insert rate (bars/s) and 10-year range read latency —
/// on SQLite or PostgreSQL, in process (no HTTP; `scripts/bench/range_query_via_gateway.sh` times the HTTP path).
struct BenchDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Time the bar store: inserts (bars/s) and 10-year range reads (p50/p99).")

    enum Path: String, ExpressibleByArgument {
        /// `BarStore.insertBulk`: the storage layer's bulk path.
        case bulk
        /// `BarStore.insert`: SQLKit multi-row statements, one transaction per series (the consumer's path).
        case generic
    }

    @Option(help: "Bars to insert (10-year daily series of 2,520 bars per symbol).") var bars: Int = 1_008_000
    @Option(help: "Database URL (default: a fresh SQLite file in a temporary directory).") var databaseURL: String?
    @Option(help: "Range reads to time.") var queries: Int = 200
    @Option(help: "Insert path: bulk or generic.") var path: Path = .bulk
    @Option(help: "Series per bulk transaction.") var seriesPerBatch: Int = 40
    @Option(help: "Write the rows as tab-separated text (psql \\copy input) to this file and exit.") var writeTSV: String?

    func run() async throws {
        let perSymbol = 2520
        let symbols = max(1, bars / perSymbol)
        let series = Self.series(count: perSymbol)
        if let writeTSV {
            try Self.writeTSV(to: writeTSV, symbols: symbols, series: series)
            return
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bourse-bench-\(UUID().uuidString)").path
        let url = databaseURL ?? "sqlite://\(dir)/data.sqlite"
        let database = try await Database.open(url: url, dataDir: dir, service: "bench_data_\(UInt32.random(in: 0...UInt32.max))", logger: logger)
        try await Migrator(database: database, migrations: MarketDataService.descriptor.migrations).up()
        let repository = BarStore(database: database)

        // Inputs are built before the clock starts: only the store is timed.
        let batches = stride(from: 0, to: symbols, by: seriesPerBatch).map { first in
            BarStore.Batch((first..<min(first + seriesPerBatch, symbols)).map { ("S\($0)", series) })
        }
        let start = ContinuousClock.now
        var stored = 0
        switch path {
        case .bulk:
            for batch in batches { stored += try await repository.insertBulk(batch) }
        case .generic:
            for s in 0..<symbols { stored += try await repository.insert(symbol: "S\(s)", bars: series) }
        }
        let elapsed = ContinuousClock.now - start
        let total = symbols * perSymbol
        let how = path == .bulk ? "bulk, \(seriesPerBatch * perSymbol) bars per transaction" : "generic, one transaction per \(perSymbol)-bar series"
        print(String(format: "insert %@ %d bars (%d new) in %.3f s: %.0f bars/s (%@)",
                     database.engine.rawValue, total, stored, elapsed.inSeconds, Double(total) / elapsed.inSeconds, how))

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

    /// The same rows as the insert, as `psql \copy` reads them (text format, tab-separated, the bars table's columns).
    static func writeTSV(to path: String, symbols: Int, series: [DailyBar]) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ValidationError("cannot write \(path)") }
        defer { try? handle.close() }
        for s in 0..<symbols {
            var text = ""
            text.reserveCapacity(series.count * 96)
            for bar in series {
                text += "S\(s)\t\(bar.date)\t\(bar.open)\t\(bar.high)\t\(bar.low)\t\(bar.close)\t\(bar.adjClose)\t\(bar.volume)\n"
            }
            try handle.write(contentsOf: Data(text.utf8))
        }
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
