import AsyncHTTPClient
import BourseTesting
import Foundation
import Quant
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The strategy service through the real binary and the gateway: the three real price files go through `etl` to
/// `data`; a user creates a strategy, backtests it on the three symbols (numbers equal to the engine on the same
/// CSV bars), optimises it with walk-forward, and runs it live on paper — new ORCL bars arriving through `etl`
/// produce signals and fills.
@Suite(.serialized) struct StrategyJourneyTests {
    static func bars(_ file: String, until last: String = "9999") throws -> (csv: String, bars: OHLCV) {
        let text = try String(contentsOf: PipelineTests.pricesDir.appendingPathComponent(file), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)
        let kept = [lines[0]] + lines.dropFirst().filter { $0.prefix(10) <= last }
        let csv = kept.joined(separator: "\n") + "\n"
        return (csv, try PriceTable.parse(csv, source: file).ohlcv())
    }

    /// Polls a run until it ends.
    func finished(_ session: PlatformSession, _ path: String, token: String) async throws -> PlatformSession.Reply {
        var reply = try await session.send(.GET, path, token: token)
        let deadline = ContinuousClock.now + .seconds(120)
        while ["queued", "running"].contains(reply.json()["status"] as? String ?? ""), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            reply = try await session.send(.GET, path, token: token)
        }
        return reply
    }

    @Test func aUserBacktestsOptimisesAndPaperTradesOnRealPrices() async throws {
        let platform = try await RunningPlatform.start()
        defer { platform.stop() }
        let (session, token) = (platform.session, platform.token)

        // NVDA and YHOO whole; ORCL up to mid-2014 (the rest arrives later, for the live strategy).
        var series: [String: OHLCV] = [:]
        for file in PipelineTests.files {
            let symbol = String(file.prefix { $0 != "-" }).uppercased()
            let (csv, bars) = try Self.bars(file, until: symbol == "ORCL" ? "2014-06-30" : "9999")
            series[symbol] = bars
            let (status, body) = try await PipelineTests().upload(session, token: token, symbol: symbol, csv: csv)
            #expect(status == 202, "\(file): \(body)")
        }
        for (symbol, bars) in series {
            let arrived = await TestSupport.eventually(.seconds(120)) {
                guard let (code, csv) = try? await PipelineTests().csv(session, token: token, "/api/v1/data/market/\(symbol)?from=1900-01-01"), code == 200
                else { return false }
                return PipelineTests.rows(csv).count >= bars.count
            }
            try #require(arrived, "\(symbol) bars did not arrive")
        }

        // A strategy, backtested on the three symbols with one account.
        let created = try await session.send(.POST, "/api/v1/strategy/strategies", token: token, body: #"""
            {"name":"Golden cross","type":"builtin","builtin":"sma-cross","parameters":{"fast":50,"slow":200},"symbols":["ORCL","NVDA","YHOO"]}
            """#)
        #expect(created.status == 201, "\(created.body)")
        let strategyID = try #require(created.json()["id"] as? String)
        let queued = try await session.send(.POST, "/api/v1/strategy/backtests", token: token, body: #"""
            {"strategy_id":"\#(strategyID)","from":"2000-01-03","to":"2014-06-30","capital":100000,"fees":{"percent":0.001}}
            """#)
        #expect(queued.status == 202, "\(queued.body)")
        let runID = try #require(queued.json()["id"] as? String)
        let run = try await finished(session, "/api/v1/strategy/backtests/\(runID)", token: token)
        #expect(run.json()["status"] as? String == "succeeded", "\(run.body)")

        func slice(_ b: OHLCV) throws -> OHLCV {
            let keep = b.dates.indices.filter { b.dates[$0] >= "2000-01-03" && b.dates[$0] <= "2014-06-30" }
            return try OHLCV(dates: keep.map { b.dates[$0] }, open: keep.map { b.open[$0] }, high: keep.map { b.high[$0] },
                             low: keep.map { b.low[$0] }, close: keep.map { b.close[$0] }, volume: keep.map { b.volume[$0] })
        }
        let market = try MarketBars(try ["ORCL", "NVDA", "YHOO"].map { ($0, try slice(series[$0]!)) })
        var strategy = try BuiltInStrategies.make("sma-cross", parameters: ["fast": 50, "slow": 200])
        var settings = BacktestSettings()
        settings.fees = .percent(0.001)
        let engine = try Backtest.run(&strategy, on: market, settings: settings)
        let statistics = try #require(run.json()["statistics"] as? [String: Any])
        let final = try #require(statistics["equity_final"] as? Double)
        #expect(abs(final - engine.statistics.equityFinal) <= 1e-9 * engine.statistics.equityFinal)
        let fills = try await session.send(.GET, "/api/v1/strategy/backtests/\(runID)/fills", token: token)
        #expect((fills.json()["items"] as? [Any])?.count == engine.fills.count)
        let csv = try await session.send(.GET, "/api/v1/strategy/backtests/\(runID)/equity", token: token, accept: "text/csv")
        #expect(csv.body.hasPrefix("date,equity,cash,exposure\n"))

        // Walk-forward optimisation.
        let optimisation = try await session.send(.POST, "/api/v1/strategy/optimizations", token: token, body: #"""
            {"strategy_id":"\#(strategyID)","symbols":["ORCL"],"from":"2003-01-02","to":"2014-06-30",
             "grid":{"fast":{"values":[20,50]},"slow":{"values":[100,200]}},"walk_forward":{"in_sample":756,"out_of_sample":252}}
            """#)
        #expect(optimisation.status == 202, "\(optimisation.body)")
        let optimisationID = try #require(optimisation.json()["id"] as? String)
        let optimised = try await finished(session, "/api/v1/strategy/optimizations/\(optimisationID)", token: token)
        #expect(optimised.json()["status"] as? String == "succeeded", "\(optimised.body)")
        let summary = optimised.json()["statistics"] as? [String: Any] ?? [:]
        #expect(((summary["walk_forward"] as? [String: Any])?["windows"] as? [Any])?.isEmpty == false)
        #expect((summary["pbo"] as? [String: Any])?["probability"] is Double)

        // Live on paper from 2014-01-02; the rest of ORCL's 2014 arrives through etl and is evaluated.
        let live = try await session.send(.POST, "/api/v1/strategy/strategies", token: token, body: #"""
            {"name":"RSI paper","type":"builtin","builtin":"rsi-reversion","parameters":{"period":14,"lower":40,"upper":60},
             "symbols":["ORCL"],"live":true,"paper":{"from":"2014-01-02","capital":10000,"fees":{"percent":0.001}}}
            """#)
        #expect(live.status == 201, "\(live.body)")
        let liveID = try #require(live.json()["id"] as? String)
        let (status, body) = try await PipelineTests().upload(session, token: token, symbol: "ORCL", csv: try Self.bars(PipelineTests.files[0]).csv)
        #expect(status == 202, "\(body)")
        let evaluated = await TestSupport.eventually(.seconds(120)) {
            let paper = try? await session.send(.GET, "/api/v1/strategy/strategies/\(liveID)/paper", token: token)
            return paper?.json()["as_of"] as? String == "2014-12-31"
        }
        #expect(evaluated, "the paper account did not reach the new bars")
        let signals = try await session.send(.GET, "/api/v1/strategy/strategies/\(liveID)/signals", token: token)
        #expect((signals.json()["total"] as? Int ?? 0) > 0, "\(signals.body)")
        let paper = try await session.send(.GET, "/api/v1/strategy/strategies/\(liveID)/paper", token: token)
        #expect(!((paper.json()["fills"] as? [Any]) ?? []).isEmpty)
    }
}
