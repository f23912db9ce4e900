import ArgumentParser
import Foundation
import Quant

/// One timed item of `bourse bench quant`: a name and the work to time over `bars` synthetic values.
struct BenchItem: Sendable {
    let name: String
    /// Prepares inputs once (untimed) and returns the closure to time; the closure returns a value that is
    /// folded into a checksum so the optimiser cannot drop the work.
    let prepare: @Sendable (_ data: BenchData) -> @Sendable () -> Double
}

/// Synthetic inputs shared by every bench item: a seeded geometric random walk, so runs are comparable.
struct BenchData: Sendable {
    let ohlcv: OHLCV
    let returns: [Double]
}

struct BenchQuantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quant",
        abstract: "Time every indicator and the metrics set over N synthetic bars (use a release build)."
    )

    @Option(help: "Number of synthetic bars.")
    var bars: Int = 1_000_000

    @Option(help: "Timed repetitions per item; the fastest is reported.")
    var repetitions: Int = 5

    @Option(help: "Only items whose name contains one of these comma-separated words.")
    var only: String?

    func validate() throws {
        guard bars >= 100 else { throw ValidationError("--bars must be at least 100") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
    }

    func run() throws {
        let data = Self.makeData(bars: bars)
        let filters = only?.split(separator: ",").map { $0.lowercased() } ?? []
        var items = Self.indicatorItems + Self.metricItems
        if !filters.isEmpty {
            items = items.filter { item in filters.contains { item.name.lowercased().contains($0) } }
        }
        var checksum = 0.0
        for item in items {
            let work = item.prepare(data)
            checksum += work()  // warm-up
            var best = UInt64.max
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                checksum += work()
                best = min(best, DispatchTime.now().uptimeNanoseconds - start)
            }
            print("\(item.name) \(String(format: "%.3f", Double(best) / Double(bars)))")
        }
        if checksum.isNaN { print("checksum NaN") }
    }

    /// A seeded geometric random walk with consistent OHLC and positive volume.
    static func makeData(bars: Int, seed: UInt64 = 42) -> BenchData {
        var rng = SplitMix64(seed: seed)
        var open = [Double](), high = [Double](), low = [Double](), close = [Double](), volume = [Double]()
        open.reserveCapacity(bars); high.reserveCapacity(bars); low.reserveCapacity(bars)
        close.reserveCapacity(bars); volume.reserveCapacity(bars)
        var price = 100.0
        var returns = [Double]()
        returns.reserveCapacity(bars)
        for _ in 0..<bars {
            let r = (rng.nextUnit() - 0.5) * 0.04
            let o = price
            let c = max(0.01, price * (1 + r))
            let h = max(o, c) * (1 + rng.nextUnit() * 0.01)
            let l = min(o, c) * (1 - rng.nextUnit() * 0.01)
            open.append(o); high.append(h); low.append(l); close.append(c)
            volume.append(1_000 + (rng.nextUnit() * 1_000_000).rounded())
            returns.append(c / o - 1)
            price = c
        }
        let dates = (0..<bars).map { String($0) }
        // The walk above satisfies every OHLCV invariant, so construction cannot fail.
        let ohlcv = try! OHLCV(dates: dates, open: open, high: high, low: low, close: close, volume: volume)
        return BenchData(ohlcv: ohlcv, returns: returns)
    }
}
