import ArgumentParser
import Dispatch
import Foundation
import Quant
import Synchronization

/// `bourse bench backtest`: the backtesting engine on the synthetic OHLCV that `scripts/bench/backtest_peers.sh`
/// writes for vectorbt and backtrader (so all three run on the same bars): SMA 50/200 crossover over every symbol,
/// 1,000,000 market orders, and a 10×10 window grid on both cores; times and peak memory. In process, no HTTP.
struct BenchBacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Time the backtesting engine: SMA crossover over 500 × 2,520 bars, 1M market orders, a 10×10 grid (each also in vectorbt's layout); peak memory.",
        discussion: "Data: the long CSV (symbol,date,open,high,low,close,volume) of scripts/bench/backtest_peers.py; run that first.")

    @Option(help: "The peers' synthetic data file.") var data: String = "/tmp/bourse-bench/synthetic-500x2520.csv"
    @Option(help: "Repetitions of each timed step (best and median printed).") var repeats: Int = 5
    @Option(help: "Commission as a fraction of notional (the peers use 0.001).") var fees: Double = 0.001

    func run() throws {
        let started = ContinuousClock.now
        let series = try Self.load(data)
        let bars = try MarketBars(series)
        print(String(format: "data: %d symbols × %d bars (%d bars) loaded in %.2f s; peak memory %.0f MB", series.count, bars.dateCount,
                     series.count * bars.dateCount, (ContinuousClock.now - started).seconds, Self.peakMegabytes()))
        var settings = BacktestSettings()
        settings.fees = .percent(fees)
        let fixed = settings

        func time(_ name: String, target: Double, times: Int? = nil, _ body: () throws -> String) rethrows {
            var samples: [Double] = []
            var note = ""
            for _ in 0..<max(1, times ?? repeats) {
                let t = ContinuousClock.now
                note = try body()
                samples.append((ContinuousClock.now - t).seconds * 1000)
            }
            samples.sort()
            print(String(format: "%-46@ best %9.1f ms  median %9.1f ms  (target < %.0f ms) %@  %@", name as NSString, samples[0],
                         samples[samples.count / 2], target, samples[samples.count / 2] < target ? "ok" : "SLOW", note))
        }

        // (a) one account over every symbol (weights 1/N), the engine's own layout, SMAs included.
        try time("sma 50/200, one account, all symbols", target: 100) {
            var strategy = try BuiltInStrategies.make("sma-cross", parameters: ["fast": 50, "slow": 200])
            let r = try Backtest.run(&strategy, on: bars, settings: settings)
            return "fills \(r.fillCount)"
        }
        // (a') one account per symbol, all in: vectorbt's layout (a column per symbol, each with its own cash).
        let single = try series.map { try MarketBars([$0]) }
        try time("sma 50/200, an account per symbol (vectorbt's)", target: 100, times: 3) {
            var fills = 0
            for b in single {
                var strategy = try BuiltInStrategies.make("sma-cross", parameters: ["fast": 50, "slow": 200])
                fills += try Backtest.run(&strategy, on: b, settings: settings).fillCount
            }
            return "fills \(fills)"
        }
        // (b) 1,000,000 market orders: every symbol alternates buying and selling one share on each of the first 2,000 bars
        // (500 orders a bar, one account); then the same count on one symbol over 1,000,000 bars (vectorbt's case).
        try time("1,000,000 market orders, 500 symbols × 2,000 bars", target: 100) {
            var strategy = Churn()
            let r = try Backtest.run(&strategy, on: bars, settings: settings)
            return "fills \(r.fillCount), refusals \(r.refusals.count)"
        }
        let million = try Self.walk(bars: 1_000_000)
        try time("1,000,000 market orders, 1 symbol × 1,000,000 bars", target: 100, times: 3) {
            var strategy = Alternating()
            let r = try Backtest.run(&strategy, on: million, settings: settings)
            return "fills \(r.fillCount)"
        }
        // (c) 10×10 grid (fast 10…55 by 5, slow 100…280 by 20): each window's SMA columns computed once and shared, one
        // 500-symbol account per pair, 100 runs on every core.
        let fasts = (0..<10).map { 10 + 5 * $0 }, slows = (0..<10).map { 100 + 20 * $0 }
        let before = Self.peakMegabytes()
        try time("10×10 grid, one account per pair, shared SMAs, all cores", target: 4000, times: 3) {
            let windows = fasts + slows
            let columns = Mutex([[[Double]]](repeating: [], count: windows.count))
            let failures = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: windows.count) { i in
                do {
                    let c = try (0..<bars.symbols.count).map { s throws(QuantError) in
                        try bars.column(s) { v throws(QuantError) in try Indicators.sma(v, period: windows[i]) }
                    }
                    columns.withLock { $0[i] = c }
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
            let shared = columns.withLock { $0 }
            let outcome = Mutex((fills: 0, best: -Double.infinity))
            DispatchQueue.concurrentPerform(iterations: 100) { job in
                do {
                    var strategy = SignalStrategy(.crossing(fast: shared[job / 10], slow: shared[10 + job % 10]))
                    let r = try Backtest.run(&strategy, on: bars, settings: fixed)
                    outcome.withLock { $0 = ($0.fills + r.fillCount, max($0.best, r.statistics.equityFinal)) }
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
            guard failures.withLock({ $0 }) == 0 else { throw ValidationError("a grid run failed") }
            let (fills, best) = outcome.withLock { ($0.fills, $0.best) }
            return String(format: "runs 100, fills %d, best final equity %.0f", fills, best)
        }
        // (c') the same grid with an account per symbol and pair (vectorbt's layout: 50,000 runs, indicators per run).
        var pairs: [(fast: Double, slow: Double)] = []
        for f in fasts {
            for w in slows { pairs.append((fast: Double(f), slow: Double(w))) }
        }
        let grid = pairs
        try time("10×10 grid, an account per symbol and pair, all cores", target: 4000, times: 1) {
            let total = grid.count * single.count
            // One lock per run (a whole backtest): negligible next to the run itself.
            let outcome = Mutex((fills: 0, failures: 0))
            DispatchQueue.concurrentPerform(iterations: total) { k in
                let (fast, slow) = grid[k / single.count]
                do {
                    var strategy = try BuiltInStrategies.make("sma-cross", parameters: ["fast": fast, "slow": slow])
                    let n = try Backtest.run(&strategy, on: single[k % single.count], settings: fixed).fillCount
                    outcome.withLock { $0.fills += n }
                } catch {
                    outcome.withLock { $0.failures += 1 }
                }
            }
            let (fills, failures) = outcome.withLock { ($0.fills, $0.failures) }
            guard failures == 0 else { throw ValidationError("\(failures) grid runs failed") }
            return "runs \(total), fills \(fills)"
        }
        print(String(format: "peak memory: %.0f MB (before the grid %.0f MB; target < 1024 MB)", Self.peakMegabytes(), before))
    }

    /// On each of the first 2,000 bars, an order of one share for every symbol, buying on even bars and selling on odd.
    struct Churn: TradingStrategy {
        mutating func onBar(_ context: inout StrategyContext) {
            guard context.bar < 2000 else { return }
            let side: Side = context.bar % 2 == 0 ? .buy : .sell
            for s in context.symbols.indices { context.submit(Order(symbol: s, side: side, size: .shares(1))) }
        }
    }

    /// One order a bar, alternating buy and sell of one share.
    struct Alternating: TradingStrategy {
        var buy = true
        mutating func onBar(_ context: inout StrategyContext) {
            context.submit(Order(symbol: 0, side: buy ? .buy : .sell, size: .shares(1), type: .market))
            buy.toggle()
        }
    }

    /// A deterministic random walk of `n` daily bars (dates need not be real days for the engine).
    static func walk(bars n: Int) throws -> MarketBars {
        var rng = SplitMix64(seed: 42)
        var close = [Double](repeating: 0, count: n), open = close
        var price = 100.0
        for i in 0..<n {
            open[i] = price
            let u = Double(rng.next() >> 11) / Double(1 << 53) - 0.5
            price *= 1 + 0.002 * u
            close[i] = price
        }
        let high = zip(open, close).map { max($0, $1) * 1.001 }, low = zip(open, close).map { min($0, $1) * 0.999 }
        let dates = (0..<n).map { LocalDate(daysSinceEpoch: $0).description }
        return try MarketBars([("WALK", OHLCV(dates: dates, open: open, high: high, low: low, close: close,
                                               volume: [Double](repeating: 1e9, count: n)))])
    }

    /// Reads the long CSV (symbol,date,open,high,low,close,volume; rows grouped by symbol, dates ascending).
    static func load(_ path: String) throws -> [(symbol: String, bars: OHLCV)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("\(path): missing; run scripts/bench/backtest_peers.sh first (it writes the shared data)")
        }
        var out: [(symbol: String, bars: OHLCV)] = []
        var symbol = "", dates: [String] = [], o: [Double] = [], h: [Double] = [], l: [Double] = [], c: [Double] = [], v: [Double] = []
        func flush() throws {
            guard !symbol.isEmpty else { return }
            out.append((symbol, try OHLCV(dates: dates, open: o, high: h, low: l, close: c, volume: v)))
            dates = []; o = []; h = []; l = []; c = []; v = []
        }
        for (n, line) in text.split(separator: "\n").enumerated() where n > 0 {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == 7, let op = Double(f[2]), let hi = Double(f[3]), let lo = Double(f[4]), let cl = Double(f[5]), let vo = Double(f[6]) else {
                throw ValidationError("\(path): line \(n + 1) is not symbol,date,open,high,low,close,volume")
            }
            if f[0] != symbol[...] {
                try flush()
                symbol = String(f[0])
            }
            dates.append(String(f[1])); o.append(op); h.append(hi); l.append(lo); c.append(cl); v.append(vo)
        }
        try flush()
        return out
    }

    /// The process's peak resident memory so far (`VmHWM`).
    static func peakMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
