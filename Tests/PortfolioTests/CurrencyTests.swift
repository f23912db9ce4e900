import BourseTesting
import Foundation
import HTTPTypes
import Quant
import Testing
import ServiceKit
@testable import Portfolio

/// A USD portfolio holding a EUR stock, with `EURUSD` served by the stub `data` like any series:
/// 10000 USD in, 5000 USD changed into 4000 EUR at 1.25 (2024-01-02), 10 SAP bought at 100 EUR (2024-01-03),
/// no rate on Thursday 2024-01-04, EURUSD 1.5 on 2024-01-05; SAP closes 100, 110, 120.
///
/// By hand on 2024-01-05: EUR cash 3000 and SAP 1200 at 1.5 = 6300, USD cash 5000, value 11300; contributions
/// 5000 + 4000 · 1.25 = 10000; unrealized 200 · 1.5 = 300; fx gain 1.5 · (3000 + 1000) − 4000 · 1.25 = 1000.
@Suite struct CurrencyRouteTests {
    static let instruments = PortfolioHarness.standardInstruments.merging(["SAP": .init(currency: "EUR", sector: "Technology", country: "DE")]) { a, _ in a }
    static let closes = PortfolioHarness.standardCloses.merging([
        "SAP": [("2024-01-03", 100), ("2024-01-04", 110), ("2024-01-05", 120)],
        "EURUSD": [("2024-01-02", 1.25), ("2024-01-03", 1.25), ("2024-01-05", 1.5)],
    ]) { a, _ in a }
    static let ledger = #"""
        [{"date":"2024-01-02","type":"DEPOSIT","symbol":"CASH","amount":10000},
         {"date":"2024-01-02","type":"WITHDRAWAL","symbol":"CASH","amount":-5000},
         {"date":"2024-01-02","type":"DEPOSIT","symbol":"CASH","amount":4000,"currency":"EUR"},
         {"date":"2024-01-03","type":"BUY","symbol":"SAP","quantity":10,"price":100,"currency":"EUR"}]
        """#

    @Test func aTwoCurrencyPortfolioIsValuedInItsBaseCurrency() async throws {
        try await PortfolioHarness.with(instruments: Self.instruments, closes: Self.closes) { h in
            let id = try await h.createPortfolio()
            let stored = try await h.call(.post, "\(id)/transactions", json: Self.ledger)
            #expect(stored.status == .created || stored.status == .ok, "\(stored.text)")

            let reply = try await h.call(.get, "\(id)/positions?date=2024-01-05")
            #expect(reply.status == .ok, "\(reply.text)")
            let j = reply.json
            #expect(j["value"] as? Double == 11300 && j["cash"] as? Double == 9500 && j["net_contributions"] as? Double == 10000)
            #expect(j["unrealized"] as? Double == 300 && j["fx_gain"] as? Double == 1000)
            #expect((j["cash_by_currency"] as? [String: Double]) == ["USD": 5000, "EUR": 3000])
            let sap = AnalyticsTests.positions(reply)["SAP"]
            #expect(sap?["currency"] as? String == "EUR" && sap?["fx_rate"] as? Double == 1.5 && sap?["close"] as? Double == 120)
            #expect(sap?["market_value"] as? Double == 1800 && sap?["cost_basis"] as? Double == 1500)
            #expect((j["warnings"] as? [String])?.isEmpty == true, "\(j["warnings"] ?? "")")

            // Thursday has no EURUSD rate: Wednesday's 1.25 is used, and the answer says so.
            let thursday = try await h.call(.get, "\(id)/positions?date=2024-01-04")
            #expect(thursday.json["value"] as? Double == 10125)    // 5000 + (3000 + 1100) · 1.25
            let warnings = thursday.json["warnings"] as? [String] ?? []
            #expect(warnings.contains { $0.hasPrefix("EURUSD:") && $0.contains("2024-01-04") && $0.contains("2024-01-03") }, "\(warnings)")

            let perf = try await h.call(.get, "\(id)/performance?from=2024-01-02&to=2024-01-05")
            #expect(perf.status == .ok, "\(perf.text)")
            let p = perf.json
            #expect(abs((p["twr"] as? Double ?? 0) - 0.13) < 1e-12)
            #expect(abs((p["twr_local"] as? Double ?? 0) - 0.025) < 1e-12)   // EUR held at 1.25: 5000 + 4200 · 1.25
            #expect(abs((p["currency_effect"] as? Double ?? 0) - (1.13 / 1.025 - 1)) < 1e-12)
            #expect(p["fx_gain"] as? Double == 1000)
            #expect((p["warnings"] as? [String] ?? []).isEmpty, "\(p["warnings"] ?? "")")

            // By currency, each cash balance is its own bucket at the day's rate: EUR 4500 + 1800, USD 5000.
            let allocation = try await h.call(.get, "\(id)/allocation?by=currency&date=2024-01-05")
            let buckets = Dictionary(uniqueKeysWithValues: (allocation.json["buckets"] as? [[String: Any]] ?? []).map { ($0["key"] as! String, $0["value"] as! Double) })
            #expect(buckets == ["EUR": 6300, "USD": 5000], "\(allocation.text)")
            // By country: SAP is German; cash is `cash`.
            let countries = try await h.call(.get, "\(id)/allocation?by=country&date=2024-01-05")
            let byCountry = Dictionary(uniqueKeysWithValues: (countries.json["buckets"] as? [[String: Any]] ?? []).map { ($0["key"] as! String, $0["value"] as! Double) })
            #expect(byCountry == ["DE": 1800, "cash": 9500], "\(countries.text)")
        }
    }

    @Test func rebalancingPricesAForeignPositionInTheBaseCurrency() async throws {
        try await PortfolioHarness.with(instruments: Self.instruments, closes: Self.closes) { h in
            let id = try await h.createPortfolio()
            _ = try await h.call(.post, "\(id)/transactions", json: Self.ledger)
            #expect(try await h.call(.put, "\(id)/targets", json: #"{"weights":{"SAP":0.5,"AAA":0.1},"cash":0.4}"#).status == .ok)
            let reply = try await h.call(.get, "\(id)/rebalance?whole_shares=false")
            #expect(reply.status == .ok, "\(reply.text)")
            let trades = Dictionary(uniqueKeysWithValues: (reply.json["trades"] as? [[String: Any]] ?? []).map { ($0["symbol"] as! String, $0) })
            #expect(trades["SAP"]?["price"] as? Double == 180, "\(reply.text)")   // 120 EUR at 1.5
            #expect(trades["AAA"]?["price"] as? Double == 12)                   // a USD target, not held
        }
    }

    @Test func anInversePairIsUsedWhenTheDirectOneIsMissing() async throws {
        try await PortfolioHarness.with(instruments: Self.instruments, closes: Self.closes) { h in
            let id = try await h.createPortfolio(currency: "EUR")
            _ = try await h.call(.post, "\(id)/transactions", json: #"{"date":"2024-01-02","type":"DEPOSIT","symbol":"CASH","amount":100,"currency":"USD"}"#)
            let reply = try await h.call(.get, "\(id)/positions?date=2024-01-05")
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["net_contributions"] as? Double == 80)    // 100 USD at 1/1.25
            #expect(abs((reply.json["value"] as? Double ?? 0) - 100 / 1.5) < 1e-9)
        }
    }

    @Test func aRateStartingAfterTheFirstRowIsA422NamingThePair() async throws {
        let late = Self.closes.merging(["EURUSD": [("2024-01-05", 1.5)]]) { _, b in b }
        try await PortfolioHarness.with(instruments: Self.instruments, closes: late) { h in
            let id = try await h.createPortfolio()
            _ = try await h.call(.post, "\(id)/transactions", json: Self.ledger)
            let reply = try await h.call(.get, "\(id)/performance?range=max&to=2024-01-05")
            #expect(reply.status == .unprocessableContent)
            #expect(reply.json["pair"] as? String == "EURUSD" && reply.text.contains("2024-01-02"), "\(reply.text)")
        }
    }
}
