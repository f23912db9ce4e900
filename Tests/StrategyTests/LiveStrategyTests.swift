import BourseTesting
import Foundation
import Quant
import ServiceKit
import Testing
@testable import Strategy

@Suite("Live strategies: signals once per bar, paper accounts across restarts", .serialized)
struct LiveStrategyTests {
    static let body = #"""
        {"name":"RSI paper","type":"builtin","builtin":"rsi-reversion","parameters":{"period":14,"lower":40,"upper":60},
         "symbols":["ORCL"],"live":true,"paper":{"from":"2014-01-02","capital":10000,"fees":{"percent":0.001}}}
        """#

    /// ORCL up to `last` (inclusive).
    static func orcl(until last: String) throws -> [String: OHLCV] { ["ORCL": try PriceFiles.bars("ORCL", to: last)] }

    static func published(_ h: StrategyHarness) async throws -> Int {
        try await h.environment.database!.withSQL { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM bus_outbox WHERE topic = 'strategy.signal.generated'").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Every order the strategy places from the paper start on is one signal, stored and published once: a
    /// redelivered bar event publishes nothing more. After a restart the paper account is as it was, and new bars
    /// extend it and add only the new signals.
    @Test func signalsArePublishedOncePerBarAndThePaperAccountSurvivesARestart() async throws {
        let market = MarketStub(try Self.orcl(until: "2014-06-30"))
        let saved = try await Saved()
        try await StrategyHarness.with(market: market) { h in
            let created = try await h.call(.post, "strategies", json: Self.body)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["live_since"] as? String == "2014-01-02")

            try await h.service.live.barsStored(symbol: "ORCL")
            let first = try await h.call(.get, "strategies/\(id)/signals?limit=1000")
            let count = try #require(first.json["total"] as? Int)
            #expect(count > 0)
            #expect(try await Self.published(h) == count)
            let dates = first.array.compactMap { $0["bar_date"] as? String }
            #expect(dates.allSatisfy { $0 >= "2014-01-02" && $0 <= "2014-06-30" })
            #expect(Set(dates).count == dates.count)

            // The same event again (a redelivery): nothing new is stored or published.
            try await h.service.live.barsStored(symbol: "ORCL")
            #expect(try await h.call(.get, "strategies/\(id)/signals").json["total"] as? Int == count)
            #expect(try await Self.published(h) == count)

            let paper = try await h.call(.get, "strategies/\(id)/paper")
            #expect(paper.json["as_of"] as? String == "2014-06-30")
            let fills = paper.json["fills"] as? [[String: Any]] ?? []
            #expect(!fills.isEmpty)
            #expect(fills.allSatisfy { ($0["date"] as? String ?? "") > "2014-01-02" })
            #expect(try await h.call(.get, "strategies/\(id)/paper", as: .bob).status == .notFound)
            await saved.set(id: id, paper: paper.text, signals: count, database: h.database)
        }
        let (id, paper, count, database) = await saved.values
        market.series.withLock { $0 = PriceFiles.all }
        try await StrategyHarness.with(market: market, database: database) { h in
            #expect(try await h.call(.get, "strategies/\(id)/paper").text == paper)
            try await h.service.live.barsStored(symbol: "ORCL")
            let after = try await h.call(.get, "strategies/\(id)/paper")
            #expect(after.json["as_of"] as? String == "2014-12-31")
            let total = try #require(try await h.call(.get, "strategies/\(id)/signals").json["total"] as? Int)
            #expect(total > count)
            let dates = try await h.call(.get, "strategies/\(id)/signals?limit=1000").array.compactMap { $0["bar_date"] as? String }
            #expect(dates.filter { $0 <= "2014-06-30" }.count == count)
        }
    }

    /// A strategy that is not live publishes nothing and has an empty paper account.
    @Test func aStrategyThatIsNotLiveIsNotEvaluated() async throws {
        try await StrategyHarness.with { h in
            let body = Self.body.replacingOccurrences(of: #""live":true"#, with: #""live":false"#)
            let id = try #require(try await h.call(.post, "strategies", json: body).json["id"] as? String)
            try await h.service.live.barsStored(symbol: "ORCL")
            #expect(try await h.call(.get, "strategies/\(id)/signals").json["total"] as? Int == 0)
            let paper = try await h.call(.get, "strategies/\(id)/paper")
            #expect(paper.json["equity"] as? Double == 10000)
            #expect((paper.json["fills"] as? [Any])?.isEmpty == true)
        }
    }
}

/// Values carried from the first run of the service to the second.
actor Saved {
    var values: (String, String, Int, (url: String, dataDir: String)) = ("", "", 0, ("", ""))
    init() async throws {}
    func set(id: String, paper: String, signals: Int, database: (url: String, dataDir: String)) { values = (id, paper, signals, database) }
}
