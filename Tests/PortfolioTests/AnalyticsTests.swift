import BourseTesting
import Foundation
import HTTPTypes
import Quant
import Testing
import ServiceKit
@testable import Portfolio

/// Positions, performance, allocation, rebalancing and X-ray on the hand-checked ledger (``HandLedger``) with
/// closes served by the stub `data`: AAA 10 (2024-01-03) then 12 (2024-03-01), BBB 20 (2024-01-04) then 22.
///
/// By hand, on 2024-03-01: cash 10000 − 1005 − 1000 + 594 + 30 = 8619; AAA 60 × 12 = 720 (cost 603: the 100
/// shares cost 1005 and 40 gave up 402); BBB 50 × 22 = 1100 (cost 1000); value 10439. Realized 594 − 402 = 192,
/// unrealized 117 + 100 = 217, dividends 30: 192 + 217 + 30 = 439 = value − deposits.
@Suite struct AnalyticsTests {
    func withLedger(_ body: @escaping @Sendable (PortfolioHarness, String) async throws -> Void) async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            let imported = try await h.call(.post, "\(id)/import", csv: HandLedger.csv)
            #expect(imported.json["stored"] as? Int == 5, "\(imported.text)")
            try await body(h, id)
        }
    }

    static func positions(_ reply: Reply) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: (reply.json["positions"] as? [[String: Any]] ?? []).map { ($0["symbol"] as! String, $0) })
    }

    @Test func positionsOnADayMatchTheHandFigures() async throws {
        try await withLedger { h, id in
            let reply = try await h.call(.get, "\(id)/positions?date=2024-03-01")
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.text.contains(#""value":10439"#) && reply.text.contains(#""cash":8619"#))
            #expect(reply.json["realized"] as? Double == 192 && reply.json["unrealized"] as? Double == 217 && reply.json["dividends"] as? Double == 30)
            let p = Self.positions(reply)
            #expect(p["AAA"]?["quantity"] as? Double == 60 && p["AAA"]?["cost_basis"] as? Double == 603 && p["AAA"]?["market_value"] as? Double == 720)
            #expect(p["BBB"]?["unrealized"] as? Double == 100 && p["BBB"]?["close_date"] as? String == "2024-03-01")
            #expect(abs((p["BBB"]?["weight"] as? Double ?? 0) - 1100.0 / 10439) < 1e-12)
            #expect((reply.json["warnings"] as? [String])?.isEmpty == true)
            // A weekday without a close carries the last one, and the answer says so.
            let carried = try await h.call(.get, "\(id)/positions?date=2024-02-20")
            let warnings = carried.json["warnings"] as? [String] ?? []
            #expect(warnings.contains { $0.hasPrefix("AAA:") && $0.contains("2024-01-03") }, "\(warnings)")
            #expect(Self.positions(carried)["AAA"]?["close"] as? Double == 10)
            let lots = try await h.call(.get, "\(id)/lots?symbol=AAA&date=2024-03-01")
            let lot = (lots.json["lots"] as? [[String: Any]])?.first
            #expect(lot?["quantity"] as? Double == 60 && lot?["cost"] as? Double == 603 && lot?["acquired"] as? String == "2024-01-03")
        }
    }

    @Test func performanceMatchesTheEngineAndTheHandFigures() async throws {
        try await withLedger { h, id in
            let reply = try await h.call(.get, "\(id)/performance?from=2024-01-02&to=2024-03-01&series=daily&benchmark=BBB")
            #expect(reply.status == .ok, "\(reply.text)")
            let j = reply.json
            #expect(j["value_end"] as? Double == 10439 && j["net_contributions"] as? Double == 10000)
            #expect(j["realized_pnl"] as? Double == 192 && j["dividends"] as? Double == 30 && j["trade_fees"] as? Double == 11)
            // One flow, at the start: the TWR is the value's growth.
            #expect(abs((j["twr"] as? Double ?? 0) - 0.0439) < 1e-12)
            let closes = PriceHistory(["AAA": [(LocalDate("2024-01-03")!, 10), (LocalDate("2024-03-01")!, 12)],
                                       "BBB": [(LocalDate("2024-01-04")!, 20), (LocalDate("2024-03-01")!, 22)]])
            let engine = try Portfolio(ledger: Ledger(LedgerCSV.parse(HandLedger.csv)), prices: closes)
                .performance(DateRange(from: LocalDate("2024-01-02")!, to: LocalDate("2024-03-01")!))
            #expect(abs((j["xirr"] as? Double ?? 0) - (engine.xirr ?? 1)) < 1e-12)
            // JSON carries the shortest round-trip text; Foundation's parser can land one ulp away.
            #expect(abs(((j["max_drawdown"] as? [String: Any])?["depth"] as? Double ?? 0) - engine.maxDrawdown.depth) < 1e-15)
            #expect((j["max_drawdown"] as? [String: Any])?["trough"] as? String == engine.maxDrawdown.trough?.description)
            #expect(abs((j["volatility"] as? Double ?? 0) - (engine.volatility ?? 1)) < 1e-15)
            let series = j["series"] as? [[String: Any]] ?? []
            #expect(series.count == 60 && series.last?["value"] as? Double == 10439)
            let benchmark = j["benchmark"] as? [String: Any] ?? [:]
            #expect(abs((benchmark["return"] as? Double ?? 0) - 0.1) < 1e-12)
            #expect(benchmark["beta"] != nil && benchmark["tracking_error"] != nil)
            let years = try await h.call(.get, "\(id)/performance?range=2024&to=2024-03-01")
            #expect((years.json["by_year"] as? [[String: Any]])?.map { $0["year"] as? Int } == [2024])
            #expect(try await h.call(.get, "\(id)/performance?range=3y").status == .badRequest)
        }
    }

    @Test func allocationGroupsBySymbolSectorAssetClassAndCurrency() async throws {
        try await withLedger { h, id in
            func buckets(_ by: String) async throws -> [String: Double] {
                let reply = try await h.call(.get, "\(id)/allocation?by=\(by)&date=2024-03-01")
                #expect(reply.status == .ok, "\(reply.text)")
                return Dictionary(uniqueKeysWithValues: (reply.json["buckets"] as? [[String: Any]] ?? []).map { ($0["key"] as! String, $0["value"] as! Double) })
            }
            let symbol = try await buckets("symbol")
            #expect(symbol == ["CASH": 8619, "BBB": 1100, "AAA": 720])
            let sector = try await buckets("sector")
            #expect(sector == ["cash": 8619, "unclassified": 1100, "Technology": 720])
            let assetclass = try await buckets("asset_class")
            #expect(assetclass == ["cash": 8619, "etf": 1100, "equity": 720])
            let currency = try await buckets("currency")
            #expect(currency == ["USD": 10439])
        }
    }

    @Test func targetsMustSumToOneAndRebalancingFollowsTheEnginesPlan() async throws {
        try await withLedger { h, id in
            let off = try await h.call(.put, "\(id)/targets", json: #"{"weights":{"AAA":0.5,"BBB":0.3},"cash":0.1}"#)
            #expect(off.status == .unprocessableContent && off.errorFields == ["/weights"])
            #expect(try await h.call(.get, "\(id)/rebalance").status == .unprocessableContent)
            let put = try await h.call(.put, "\(id)/targets", json: #"{"weights":{"AAA":0.5,"BBB":0.3},"cash":0.2}"#)
            #expect(put.status == .ok)
            let reply = try await h.call(.get, "\(id)/rebalance?fee=1&min_trade=50")
            #expect(reply.status == .ok, "\(reply.text)")
            let plan = try Rebalancer.plan(holdings: ["AAA": 60, "BBB": 50], prices: ["AAA": 12, "BBB": 22], cash: 8619,
                                           targets: ["AAA": dec("0.5"), "BBB": dec("0.3")], cashTarget: dec("0.2"),
                                           options: RebalanceOptions(minTrade: 50, feePerTrade: 1))
            let trades = reply.json["trades"] as? [[String: Any]] ?? []
            #expect(trades.map { $0["symbol"] as? String } == plan.trades.map(\.symbol))
            #expect(trades.map { Decimal($0["quantity"] as? Double ?? 0) } == plan.trades.map { abs($0.quantity) })
            #expect(trades.allSatisfy { $0["side"] as? String == "buy" })
            #expect(reply.json["cash_after"] as? Double == NSDecimalNumber(decimal: plan.cash).doubleValue)
            let buyOnly = try await h.call(.get, "\(id)/rebalance?mode=buy_only&whole_shares=false")
            #expect(buyOnly.status == .ok)
            // A target not held yet is bought at its last close, however old.
            #expect(try await h.call(.put, "\(id)/targets", json: #"{"weights":{"AAA":0.4,"MSFT":0.4},"cash":0.2}"#).status == .ok)
            let withNew = try await h.call(.get, "\(id)/rebalance")
            #expect(withNew.status == .ok, "\(withNew.text)")
            let bought = (withNew.json["trades"] as? [[String: Any]] ?? []).first { $0["symbol"] as? String == "MSFT" }
            #expect(bought?["price"] as? Double == 330 && bought?["side"] as? String == "buy")
            #expect(try await h.call(.put, "\(id)/targets", json: #"{"weights":{"ZZZ":0.8},"cash":0.2}"#).errorFields == ["/weights/ZZZ"])
        }
    }

    @Test func xrayReportsEachRuleWithItsFiguresAndSettingsChangeThem() async throws {
        try await withLedger { h, id in
            let reply = try await h.call(.get, "\(id)/xray")
            #expect(reply.status == .ok, "\(reply.text)")
            let rules = Dictionary(uniqueKeysWithValues: (reply.json["rules"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0) })
            #expect(rules["positions"]?["pass"] as? Bool == false && rules["positions"]?["value"] as? Double == 2)
            #expect(rules["cash_share"]?["pass"] as? Bool == false)
            #expect(abs((rules["cash_share"]?["value"] as? Double ?? 0) - 8619.0 / 10439) < 1e-12)
            #expect(rules["largest_position"]?["subject"] as? String == "BBB" && rules["largest_position"]?["pass"] as? Bool == true)
            #expect(abs((rules["fee_ratio"]?["value"] as? Double ?? 0) - 11.0 / 2600) < 1e-12)
            #expect(rules["max_drawdown"]?["pass"] as? Bool == true && (rules["max_drawdown"]?["value"] as? Double ?? 0) < 0)
            #expect(rules["largest_sector"]?["subject"] as? String == "Technology")
            #expect(rules["largest_currency"]?["enabled"] as? Bool == false && rules["largest_currency"]?["pass"] is NSNull)
            let settings = try await h.call(.put, "\(id)/xray/settings", json: #"{"rules":{"positions":{"enabled":true,"threshold":2},"cash_share":{"enabled":false}}}"#)
            #expect(settings.status == .ok, "\(settings.text)")
            let after = Dictionary(uniqueKeysWithValues: (try await h.call(.get, "\(id)/xray").json["rules"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0) })
            #expect(after["positions"]?["pass"] as? Bool == true && after["cash_share"]?["pass"] is NSNull)
            #expect(try await h.call(.put, "\(id)/xray/settings", json: #"{"rules":{"bogus":{"enabled":true}}}"#).status == .unprocessableContent)
        }
    }

    @Test func aCurrencyWithoutAnyRateIsRefusedNamingThePair() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            _ = try await h.call(.post, "\(id)/transactions", json: #"{"date":"2024-01-02","type":"DEPOSIT","symbol":"CASH","amount":100,"currency":"EUR"}"#)
            let reply = try await h.call(.get, "\(id)/positions")
            #expect(reply.status == .unprocessableContent)
            #expect(reply.text.contains("missing-fx-rate") && reply.text.contains("EURUSD"), "\(reply.text)")
            #expect(reply.errorFields == ["currency"])
        }
    }

    @Test func closesAreCachedUntilDataSaysTheSymbolsBarsChanged() async throws {
        try await withLedger { h, id in
            _ = try await h.call(.get, "\(id)/positions?date=2024-03-01")
            let reads = h.data.marketReads.withLock { $0 }
            _ = try await h.call(.get, "\(id)/positions?date=2024-03-01")
            #expect(h.data.marketReads.withLock { $0 } == reads)
            h.data.closes.withLock { $0["AAA"]!.append(("2024-03-04", 13)) }
            await h.service.market.cache.invalidate("AAA")
            let after = try await h.call(.get, "\(id)/positions?date=2024-03-04")
            #expect(h.data.marketReads.withLock { $0 } == reads + 1)
            #expect(Self.positions(after)["AAA"]?["close"] as? Double == 13)
        }
    }
}

func dec(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }
