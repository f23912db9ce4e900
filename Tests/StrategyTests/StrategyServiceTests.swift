import BourseTesting
import Foundation
import HTTPTypes
import Quant
import ServiceKit
import Testing
@testable import Strategy

@Suite("Strategy service: strategies, backtests, optimisations", .serialized)
struct StrategyServiceTests {
    static let golden = #"{"name":"Golden cross","type":"builtin","builtin":"sma-cross","parameters":{"fast":50,"slow":200},"symbols":["ORCL"]}"#

    /// A strategy is created, read, listed and changed by its owner; another user gets 404 on every route.
    @Test func aStrategyBelongsToItsOwner() async throws {
        try await StrategyHarness.with { h in
            let created = try await h.call(.post, "strategies", json: Self.golden)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(created.headers[.location] == "/api/v1/strategy/strategies/\(id)")
            #expect(try await h.call(.get, "strategies/\(id)").json["builtin"] as? String == "sma-cross")
            #expect(try await h.call(.get, "strategies").array.count == 1)
            for (method, path) in [(HTTPRequest.Method.get, "strategies/\(id)"), (.patch, "strategies/\(id)"), (.delete, "strategies/\(id)"),
                                   (.get, "strategies/\(id)/paper"), (.get, "strategies/\(id)/signals")] {
                let reply = try await h.call(method, path, as: .bob, json: method == .patch ? #"{"name":"x"}"# : nil)
                #expect(reply.status == .notFound, "\(method) \(path) as another user")
            }
            #expect(try await h.call(.get, "strategies", as: .bob).array.isEmpty)
            let renamed = try await h.call(.patch, "strategies/\(id)", json: #"{"name":"Renamed","parameters":{"fast":20,"slow":100}}"#)
            #expect(renamed.status == .ok)
            #expect((renamed.json["parameters"] as? [String: Double]) == ["fast": 20, "slow": 100])
            #expect(try await h.call(.delete, "strategies/\(id)").status == .noContent)
            #expect(try await h.call(.get, "strategies/\(id)").status == .notFound)
        }
    }

    /// Bad definitions are refused with 422 naming each problem, and nothing is stored.
    @Test func invalidDefinitionsAreRefusedWithTheirFields() async throws {
        try await StrategyHarness.with { h in
            let cases: [(String, String)] = [
                (#"{"name":"a","type":"builtin","builtin":"nope","symbols":["ORCL"]}"#, "/builtin"),
                (#"{"name":"a","type":"builtin","builtin":"sma-cross","parameters":{"fast":300,"slow":200},"symbols":["ORCL"]}"#, "/parameters"),
                (#"{"name":"a","type":"rules","rules":{"entry":"rsi(close, 14) <"},"symbols":["ORCL"]}"#, "/rules/entry"),
                (#"{"name":"a","type":"builtin","builtin":"sma-cross","symbols":["ZZZZ"]}"#, "/symbols/0"),
                (#"{"name":"a","type":"builtin","builtin":"sma-cross","symbols":[]}"#, "/symbols"),
                (#"{"type":"builtin","builtin":"sma-cross","symbols":["ORCL"]}"#, "/name"),
            ]
            for (body, field) in cases {
                let reply = try await h.call(.post, "strategies", json: body)
                #expect(reply.status == .unprocessableContent, "\(body)")
                #expect(reply.errorFields.contains(field), "\(body) → \(reply.text)")
            }
            let rule = try await h.call(.post, "strategies", json: #"{"name":"a","type":"rules","rules":{"entry":"close >\n smaa(close, 5)"},"symbols":["ORCL"]}"#)
            #expect(rule.text.contains("line 2, column 2"))
            #expect(try await h.call(.get, "strategies").array.isEmpty)
        }
    }

    /// A backtest of the golden cross on the real ORCL file runs as a job and equals the engine run directly on
    /// the same bars; its trades, fills and equity (JSON and CSV) are served; the same request again gives the
    /// same hashes and identical numbers.
    @Test func aBacktestIsReproducibleAndEqualsTheEngine() async throws {
        try await StrategyHarness.with { h in
            let body = #"{"strategy":\#(Self.golden),"from":"2000-01-01","to":"2014-12-31","capital":100000,"fees":{"percent":0.001}}"#
            let queued = try await h.call(.post, "backtests", json: body)
            #expect(queued.status == .accepted)
            let location = try #require(queued.headers[.location])
            let run = try await h.finished(String(location.dropFirst("/api/v1/strategy/".count)))
            #expect(run.json["status"] as? String == "succeeded", "\(run.text)")
            let id = try #require(run.json["id"] as? String)
            let statistics = try #require(run.json["statistics"] as? [String: Any])

            // The engine directly, on the same bars.
            let slice = try PriceFiles.bars("ORCL", from: "2000-01-01", to: "2014-12-31")
            var strategy = try BuiltInStrategies.make("sma-cross", parameters: ["fast": 50, "slow": 200])
            var settings = BacktestSettings()
            settings.fees = .percent(0.001)
            let direct = try Backtest.run(&strategy, on: try MarketBars([("ORCL", slice)]), settings: settings)
            #expect(statistics["equity_final"] as? Double == direct.statistics.equityFinal)
            #expect(statistics["trade_count"] as? Int == direct.statistics.tradeCount)

            let equity = try await h.call(.get, "backtests/\(id)/equity")
            let points = equity.array
            #expect(points.count == direct.equity.count)
            // JSON carries each number's shortest round-trip text; Foundation's parser may land one unit in the last place off.
            let served = points.map { $0["equity"] as? Double ?? .nan }
            let worst = zip(served, direct.equity).map { abs($0 - $1) / abs($1) }.max() ?? .nan
            #expect(worst <= 1e-15, "largest relative difference \(worst)")
            let csv = try await h.call(.get, "backtests/\(id)/equity", accept: "text/csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.split(separator: "\n").count == direct.equity.count + 1)
            let fills = try await h.call(.get, "backtests/\(id)/fills")
            #expect(fills.array.count == direct.fills.count)
            let prices = fills.array.map { $0["price"] as? Double ?? .nan }
            #expect(zip(prices, direct.fills.map(\.price)).allSatisfy { abs($0 - $1) <= 1e-15 * abs($1) })
            let trades = try await h.call(.get, "backtests/\(id)/trades")
            #expect(trades.array.count == direct.trades.count)

            let again = try await h.finished(String(try #require(try await h.call(.post, "backtests", json: body).headers[.location]).dropFirst("/api/v1/strategy/".count)))
            #expect(again.json["definition_hash"] as? String == run.json["definition_hash"] as? String)
            #expect(again.json["data_hash"] as? String == run.json["data_hash"] as? String)
            let secondID = try #require(again.json["id"] as? String)
            #expect(try await h.call(.get, "backtests/\(secondID)/equity").text == equity.text)
            #expect(try await h.call(.get, "backtests/\(id)", as: .bob).status == .notFound)
            #expect(try await h.call(.get, "backtests/\(id)/equity", as: .bob).status == .notFound)
        }
    }

    /// A run queued while no worker runs can be cancelled; results of a run that has not succeeded are a 409.
    @Test func aQueuedRunIsCancelledAndHasNoResults() async throws {
        try await StrategyHarness.with(runWorker: false) { h in
            let queued = try await h.call(.post, "backtests", json: #"{"strategy":\#(Self.golden)}"#)
            let id = try #require(queued.json["id"] as? String)
            #expect(queued.json["status"] as? String == "queued")
            #expect(try await h.call(.get, "backtests/\(id)/trades").status == .conflict)
            let cancelled = try await h.call(.post, "backtests/\(id)/cancel")
            #expect(cancelled.json["status"] as? String == "cancelled")
            #expect(try await h.call(.post, "backtests/\(id)/cancel").status == .conflict)
            #expect(try await h.call(.delete, "backtests/\(id)").status == .noContent)
            #expect(try await h.call(.get, "backtests/\(id)").status == .notFound)
        }
    }

    /// A run whose worker died (its lease expired) is claimed again and completes: runs survive restarts.
    @Test func aRunLeftByADeadWorkerIsResumed() async throws {
        try await StrategyHarness.with(runWorker: false) { h in
            let id = try #require(try await h.call(.post, "backtests", json: #"{"strategy":\#(Self.golden)}"#).json["id"] as? String)
            let runs = RunStore(database: h.environment.database!)
            let claims = try await runs.claimDue(limit: 1, lease: .milliseconds(1))
            #expect(claims.map(\.id) == [id])
            try await Task.sleep(for: .milliseconds(20))
            // The first worker "died"; a new one takes the run over once its lease has passed.
            let worker = Task { try await h.service.worker.run() }
            defer { worker.cancel() }
            let run = try await h.finished("backtests/\(id)")
            #expect(run.json["status"] as? String == "succeeded")
            // The dead worker's late result is dropped, not stored over the new one.
            await #expect(throws: RunStore.Released.self) { try await runs.progress(claims[0], 0.5, lease: .seconds(1)) }
        }
    }

    /// Rules in the expression language backtest like the equivalent built-in.
    @Test func rulesEqualTheBuiltInTheyRestate() async throws {
        try await StrategyHarness.with { h in
            let rules = #"{"name":"r","type":"rules","rules":{"entry":"sma(close, 50) crosses_above sma(close, 200)","exit":"sma(close, 50) crosses_below sma(close, 200)"},"symbols":["ORCL"]}"#
            let a = try await h.finished("backtests/" + (try #require(try await h.call(.post, "backtests", json: #"{"strategy":\#(rules)}"#).json["id"] as? String)))
            let b = try await h.finished("backtests/" + (try #require(try await h.call(.post, "backtests", json: #"{"strategy":\#(Self.golden)}"#).json["id"] as? String)))
            let sa = try #require(a.json["statistics"] as? [String: Any]), sb = try #require(b.json["statistics"] as? [String: Any])
            #expect(sa["trade_count"] as? Int == sb["trade_count"] as? Int)
            let fa = try #require(sa["equity_final"] as? Double), fb = try #require(sb["equity_final"] as? Double)
            #expect(abs(fa - fb) <= 1e-9 * fb)
        }
    }

    /// An optimisation over a small grid ranks the combinations, reports DSR and PBO, and walk-forward stitches
    /// the out-of-sample equity over windows that tile the range after the first in-sample window.
    @Test func anOptimisationWithWalkForward() async throws {
        try await StrategyHarness.with { h in
            let body = #"""
                {"strategy":{"type":"builtin","builtin":"sma-cross","symbols":["ORCL"]},"from":"2004-01-01","to":"2014-12-31",
                 "grid":{"fast":{"values":[10,20,50]},"slow":{"start":100,"stop":200,"step":50}},"constraint":"fast < slow","objective":"sharpe",
                 "walk_forward":{"in_sample":504,"out_of_sample":252}}
                """#
            let queued = try await h.call(.post, "optimizations", json: body)
            #expect(queued.status == .accepted, "\(queued.text)")
            let id = try #require(queued.json["id"] as? String)
            let run = try await h.finished("optimizations/\(id)")
            #expect(run.json["status"] as? String == "succeeded", "\(run.text)")
            let summary = try #require(run.json["statistics"] as? [String: Any])
            #expect(summary["evaluated"] as? Int == 9)
            #expect(summary["deflated_sharpe"] is Double)
            let pbo = try #require(summary["pbo"] as? [String: Any])
            let probability = try #require(pbo["probability"] as? Double)
            #expect(probability >= 0 && probability <= 1)
            #expect(pbo["splits"] as? Int == 12_870)
            let table = try await h.call(.get, "optimizations/\(id)/results")
            let objectives = table.array.compactMap { $0["objective"] as? Double }
            #expect(objectives == objectives.sorted(by: >))
            let walk = try #require(summary["walk_forward"] as? [String: Any])
            let windows = try #require(walk["windows"] as? [[String: Any]])
            #expect(!windows.isEmpty)
            let equity = try await h.call(.get, "optimizations/\(id)/equity").array
            let days = PriceFiles.all["ORCL"]!.dates.filter { $0 >= "2004-01-01" && $0 <= "2014-12-31" }
            #expect(equity.count == days.count - 504)
            #expect(equity.first?["date"] as? String == days[504])
        }
    }

    /// A bad grid, objective or constraint is a 422 naming the field.
    @Test func invalidOptimisationsAreRefused() async throws {
        try await StrategyHarness.with { h in
            let base = #""strategy":{"type":"builtin","builtin":"sma-cross","symbols":["ORCL"]}"#
            for (grid, field) in [
                (#""grid":{"speed":{"values":[1]}}"#, "/grid/speed"),
                (#""grid":{"fast":{"values":[10]}},"objective":"luck""#, "/objective"),
                (#""grid":{"fast":{"values":[10]}},"constraint":"fast <<< slow""#, "/constraint"),
                (#""grid":{"fast":{"values":[10]}},"objective":"win_rate","walk_forward":{"in_sample":100,"out_of_sample":50}"#, "/objective"),
            ] {
                let reply = try await h.call(.post, "optimizations", json: "{\(base),\(grid)}")
                #expect(reply.status == .unprocessableContent, "\(grid)")
                #expect(reply.errorFields.contains(field), "\(grid) → \(reply.text)")
            }
        }
    }
}
