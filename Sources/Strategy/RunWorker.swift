import Foundation
import Logging
import Quant
import ServiceKit
import ServiceLifecycle

/// The background service that runs backtests and optimisations: it claims due runs (including those a dead
/// process left running, once their lease expires, so runs survive restarts) and runs up to
/// `strategy.worker_concurrency` at once. Computation happens on the blocking thread pool, never on the event
/// loops; an optimisation reports progress (and notices cancellation) between combinations.
struct RunWorker: Service {
    let runs: RunStore
    let bars: BarsClient
    let wakeups: WakeSignal
    let concurrency: Int
    let lease: Duration
    let pollInterval: Duration
    let logger: Logger

    func run() async throws {
        let (runs, lease) = (runs, lease)
        await ClaimLoop(what: "strategy runs", concurrency: concurrency, pollInterval: pollInterval, wakeups: wakeups, logger: logger,
                        claim: { try await runs.claimDue(limit: $0, lease: lease) }, process: { await self.process($0) }).run()
    }

    func process(_ claim: RunStore.Claim) async {
        do {
            switch claim.kind {
            case .backtest: try await backtest(claim)
            case .optimization: try await optimize(claim)
            }
        } catch is RunStore.Released {
            logger.notice("run cancelled or taken over; result dropped", metadata: ["run": .string(claim.id)])
        } catch let error as RunFailure {
            try? await runs.fail(claim, error: error.message, dataHash: error.dataHash)
        } catch let error as QuantError {
            try? await runs.fail(claim, error: error.description)
        } catch let error as Problem {
            // The data service could not be reached or refused: a later attempt may succeed, so the run is retried
            // while attempts remain (its lease expires and it is claimed again).
            if claim.attempts >= 3 {
                try? await runs.fail(claim, error: "bars could not be read: \(error.detail) (after \(claim.attempts) attempts)")
            } else {
                logger.warning("run will be retried", metadata: ["run": .string(claim.id), "error": .string(error.detail)])
            }
        } catch {
            logger.error("run failed", metadata: ["run": .string(claim.id), "error": .string(String(reflecting: error))])
            try? await runs.fail(claim, error: "internal error: the run could not complete")
        }
    }

    /// The bars of a run's symbols (and benchmark) in its range, on one calendar, and their hash.
    func load(_ definition: StrategyDefinition, _ settings: RunSettings) async throws -> RunData {
        let series = try await bars.bars(definition.symbols, from: settings.from, to: settings.to)
        var benchmark: BarsClient.Series?
        if let symbol = settings.benchmark { benchmark = try await bars.bars(symbol, from: settings.from, to: settings.to) }
        let hash = BarsClient.dataHash(series + (benchmark.map { [$0] } ?? []))
        if let empty = series.first(where: { $0.bars.count == 0 }) {
            throw RunFailure("\(empty.symbol) has no bars between \(settings.from?.description ?? "the start") and \(settings.to?.description ?? "the end")",
                             dataHash: hash)
        }
        if let benchmark, benchmark.bars.count == 0 {
            throw RunFailure("the benchmark \(benchmark.symbol) has no bars in the range", dataHash: hash)
        }
        let market = try MarketBars(series.map { (symbol: $0.symbol, bars: $0.bars) })
        return RunData(market: market, benchmark: benchmark.map { Self.benchmarkReturns($0.bars, on: market.dates) }, dataHash: hash)
    }

    /// Benchmark simple returns on the run's calendar (a day without a benchmark bar carries its last close; the
    /// first return is 0).
    static func benchmarkReturns(_ bars: OHLCV, on dates: [String]) -> [Double] {
        var byDate: [String: Double] = [:]
        for (d, c) in zip(bars.dates, bars.close) { byDate[d] = c }
        var out: [Double] = []
        out.reserveCapacity(dates.count)
        var previous: Double?
        for d in dates {
            let close = byDate[d] ?? previous
            if let close, let p = previous, p > 0 { out.append(close / p - 1) } else { out.append(0) }
            previous = close ?? previous
        }
        return out
    }

    func backtest(_ claim: RunStore.Claim) async throws {
        let job = try StoredJSON.decode(BacktestJob.self, claim.request)
        let data = try await load(job.definition, job.settings)
        let result = try await BlockingIO.run { try StrategyFactory.run(job.definition, on: data.market, settings: job.settings, benchmark: data.benchmark) }
        let parts = try ResultParts(result)
        try await runs.complete(claim, dataHash: data.dataHash, statistics: parts.statistics, parts: parts.all)
    }

    func optimize(_ claim: RunStore.Claim) async throws {
        let job = try StoredJSON.decode(OptimizationJob.self, claim.request)
        let data = try await load(job.definition, job.settings)
        let combinations = try Optimizer.combinations(job)
        var evaluations: [Optimizer.Evaluation] = []
        evaluations.reserveCapacity(combinations.count)
        let chunk = max(1, combinations.count / 50)
        for start in stride(from: 0, to: combinations.count, by: chunk) {
            let slice = Array(combinations[start..<min(start + chunk, combinations.count)])
            evaluations += try await BlockingIO.run { try Optimizer.evaluate(job, slice, on: data.market, benchmark: data.benchmark) }
            try await runs.progress(claim, 0.95 * Double(evaluations.count) / Double(combinations.count), lease: lease)
        }
        let evaluated = evaluations
        let outcome = try await BlockingIO.run { try Optimizer.summarise(job, evaluated, on: data.market) }
        try await runs.complete(claim, dataHash: data.dataHash, statistics: outcome.summary, parts: outcome.parts)
    }
}

/// What a run computes on.
struct RunData: Sendable {
    var market: MarketBars
    var benchmark: [Double]?
    var dataHash: String
}

/// A run that cannot succeed, with a message for its owner.
struct RunFailure: Error {
    var message: String
    var dataHash: String?

    init(_ message: String, dataHash: String? = nil) {
        self.message = message
        self.dataHash = dataHash
    }
}
