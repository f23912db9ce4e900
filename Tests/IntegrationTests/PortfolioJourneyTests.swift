import AsyncHTTPClient
import BourseTesting
import Foundation
import NIOCore
import NIOHTTP1
import Quant
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The portfolio service through the real binary and the gateway: the three real price files go through `etl` to
/// `data`, a ledger over ORCL, NVDA and YHOO is imported, and positions, performance, allocation, rebalancing and
/// the X-ray answer with figures equal to the engine's, computed here on the same CSV closes.
@Suite(.serialized) struct PortfolioJourneyTests {
    static func closes(_ file: String) throws -> [(date: LocalDate, close: Decimal)] {
        let text = try String(contentsOf: PipelineTests.pricesDir.appendingPathComponent(file), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let cells = line.split(separator: ",")
            return (LocalDate(String(cells[0]))!, Decimal(string: String(cells[4]), locale: Locale(identifier: "en_US_POSIX"))!)
        }
    }

    @Test func aLedgerOverRealPricesAnswersEveryAnalyticWithTheEnginesFigures() async throws {
        let port = BourseProcess.freePort()
        let dataDir = TestSupport.temporaryDirectory()
        let up = try BourseProcess.start(["up", "--data-dir", dataDir, "--port", String(port)])
        defer { up.signal(SIGTERM) }
        let healthy = await TestSupport.eventually(.seconds(60)) { up.log.contains("services healthy") }
        try #require(healthy, "bourse up did not report healthy:\n\(up.log)")
        let session = PlatformSession(gateway: "http://127.0.0.1:\(port)", dataDir: dataDir)
        let token = try await session.loginAsAdmin().access

        var closes: [String: [(date: LocalDate, close: Decimal)]] = [:]
        for file in PipelineTests.files {
            let symbol = String(file.prefix { $0 != "-" }).uppercased()
            let text = try String(contentsOf: PipelineTests.pricesDir.appendingPathComponent(file), encoding: .utf8)
            closes[symbol] = try Self.closes(file)
            let (status, body) = try await PipelineTests().upload(session, token: token, symbol: symbol, csv: text)
            #expect(status == 202, "\(file): \(body)")
        }
        for (symbol, series) in closes {
            let arrived = await TestSupport.eventually(.seconds(120)) {
                guard let (code, csv) = try? await PipelineTests().csv(session, token: token, "/api/v1/data/market/\(symbol)?from=1900-01-01"), code == 200
                else { return false }
                return PipelineTests.rows(csv).count >= series.count
            }
            try #require(arrived, "\(symbol) bars did not arrive")
        }

        func close(_ symbol: String, _ day: String) -> Decimal { closes[symbol]!.last { $0.date <= LocalDate(day)! }!.close }
        func row(_ day: String, _ type: String, _ symbol: String, _ q: Decimal, _ p: Decimal, _ fee: Decimal = 0) -> Transaction {
            Transaction(date: LocalDate(day)!, type: TransactionType(rawValue: type)!, symbol: symbol, quantity: q, price: p, fee: fee)
        }
        let ledger: [Transaction] = [
            Transaction(date: LocalDate("2010-01-04")!, type: .deposit, symbol: "CASH", amount: 100_000),
            row("2010-01-04", "BUY", "ORCL", 1000, close("ORCL", "2010-01-04"), 7),
            row("2010-01-05", "BUY", "NVDA", 2000, close("NVDA", "2010-01-05"), 7),
            row("2010-01-06", "BUY", "YHOO", 1500, close("YHOO", "2010-01-06"), 7),
            row("2011-06-01", "SELL", "NVDA", 800, close("NVDA", "2011-06-01"), 7),
            row("2012-03-01", "DIVIDEND", "ORCL", 1000, Decimal(string: "0.06")!),
            row("2012-09-04", "BUY", "ORCL", 500, close("ORCL", "2012-09-04"), 7),
            row("2013-05-01", "SELL", "YHOO", 500, close("YHOO", "2013-05-01"), 7),
        ]
        let csv = LedgerCSV.write(ledger)
        let created = try await session.send(.POST, "/api/v1/portfolio/portfolios", token: token, body: #"{"name":"Real","base_currency":"USD"}"#)
        #expect(created.status == 201, "\(created.body)")
        let id = try #require(created.json()["id"] as? String)
        let base = "/api/v1/portfolio/portfolios/\(id)"
        let imported = try await session.send(.POST, base + "/import", token: token, body: csv, contentType: "text/csv")
        #expect(imported.status == 200 && imported.json()["stored"] as? Int == ledger.count, "\(imported.body)")
        let again = try await session.send(.POST, base + "/import", token: token, body: csv, contentType: "text/csv")
        #expect(again.json()["stored"] as? Int == 0 && again.json()["duplicates"] as? Int == ledger.count)

        let engine = Portfolio(ledger: try Ledger(ledger), prices: PriceHistory(closes))
        let day = "2014-06-02"
        let holdings = engine.holdings(at: LocalDate(day)!)
        let positions = try await session.send(.GET, base + "/positions?date=\(day)", token: token)
        #expect(positions.status == 200, "\(positions.body)")
        let p = positions.json()
        #expect(positions.body.contains(#""value":\#(holdings.value)"#), "the exact value \(holdings.value) is not in \(positions.body.prefix(400))")
        let served = Dictionary(uniqueKeysWithValues: (p["positions"] as? [[String: Any]] ?? []).map { ($0["symbol"] as! String, $0) })
        for position in holdings.positions {
            #expect(served[position.symbol]?["quantity"] as? Double == NSDecimalNumber(decimal: position.quantity).doubleValue)
            #expect(positions.body.contains(#""market_value":\#(position.marketValue)"#), "\(position.symbol) market value \(position.marketValue)")
        }

        let summary = try engine.performance(DateRange(from: LocalDate("2010-01-04")!, to: LocalDate(day)!))
        let performance = try await session.send(.GET, base + "/performance?from=2010-01-04&to=\(day)&benchmark=ORCL", token: token)
        #expect(performance.status == 200, "\(performance.body)")
        let perf = performance.json()
        #expect(abs((perf["twr"] as? Double ?? 0) - summary.twr) < 1e-12)
        #expect(abs((perf["xirr"] as? Double ?? 0) - (summary.xirr ?? 0)) < 1e-9)
        #expect(performance.body.contains(#""value_end":\#(summary.valueEnd)"#))
        #expect(performance.body.contains(#""realized_pnl":\#(summary.realized)"#))
        #expect((perf["benchmark"] as? [String: Any])?["beta"] is Double)

        let allocation = try await session.send(.GET, base + "/allocation?by=symbol&date=\(day)", token: token)
        #expect(allocation.status == 200, "\(allocation.body)")
        #expect((allocation.json()["buckets"] as? [[String: Any]])?.count == holdings.positions.filter { $0.quantity != 0 }.count + (holdings.cash == 0 ? 0 : 1))
        let byClass = try await session.send(.GET, base + "/allocation?by=asset_class", token: token)
        #expect(byClass.status == 200, "\(byClass.body)")

        let targets = try await session.send(.PUT, base + "/targets", token: token, body: #"{"weights":{"ORCL":0.3,"NVDA":0.3,"YHOO":0.3},"cash":0.1}"#)
        #expect(targets.status == 200, "\(targets.body)")
        let rebalance = try await session.send(.GET, base + "/rebalance", token: token)
        #expect(rebalance.status == 200, "\(rebalance.body)")
        #expect(!((rebalance.json()["trades"] as? [Any]) ?? []).isEmpty)
        let xray = try await session.send(.GET, base + "/xray", token: token)
        #expect(xray.status == 200, "\(xray.body)")
        #expect(((xray.json()["rules"] as? [Any]) ?? []).count == 7)
    }
}
