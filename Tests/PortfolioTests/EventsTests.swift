import BourseTesting
import Foundation
import Testing
import ServiceKit
import Quant
@testable import Portfolio

/// The service on the bus: recorded transactions reach the shared store with their ids, and `data.bars.stored`
/// drops the named symbol's cached closes.
@Suite struct EventsTests {
    /// Runs the service's background services (relay, listeners, consumer) until `condition` holds.
    func runUntil(_ service: PortfolioService, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for background in service.backgroundServices { group.addTask { try await background.run() } }
            let deadline = ContinuousClock.now + .seconds(20)
            func done() async throws -> Bool {
                guard try await condition() else { return false }
                return try await service.bus.status().outboxPending == 0
            }
            while try await !done() {
                guard ContinuousClock.now < deadline else {
                    group.cancelAll()
                    Issue.record("timed out waiting for the bus")
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
            try? await group.waitForAll()
        }
    }

    @Test func recordedTransactionsArePublishedAndStoredBarsDropCachedCloses() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            let created = try await h.call(.post, "\(id)/import", csv: HandLedger.csv)
            #expect(created.json["stored"] as? Int == 5)
            _ = try await h.call(.get, "\(id)/positions?date=2024-03-01")
            #expect(await h.service.market.cache.cachedSymbols == ["AAA", "BBB"])
            struct Stored: Encodable { let symbol: String; let inserted: Int }
            try await h.environment.database!.transaction { sql in
                _ = try await h.service.bus.publish(topic: "data.bars.stored", key: "AAA", json: Stored(symbol: "AAA", inserted: 1), in: sql)
            }
            try await runUntil(h.service) { await h.service.market.cache.invalidations >= 1 }
            #expect(await h.service.market.cache.cachedSymbols == ["BBB"])
            let events = try await h.service.bus.events(topic: TransactionRecordedEvent.topic)
            #expect(events.count == 1)
            let event = try #require(try events.first?.decode(TransactionRecordedEvent.self))
            #expect(event.portfolioID == id && event.count == 5 && event.transactionIDs.count == 5 && event.source == "import")
            let stored = try await h.call(.get, "\(id)/transactions").array.compactMap { $0["id"] as? String }
            #expect(Set(event.transactionIDs) == Set(stored))
        }
    }
}

@Suite struct FingerprintTests {
    @Test func plainTextIsDecimalsDescriptionForEveryKindOfNumber() {
        let l = Locale(identifier: "en_US_POSIX")
        var texts = ["10.50", "10.5", "0", "0.000", "-0.0", "100", "1e2", "-3.2500", "123456789.123456789000", "0.1", "0.000001",
                     "99999999999999999999.5", "1.00000000000000000000", "-0.05", "1234567890123456789012345678", "0.30"]
        for i in 0..<2000 { texts.append("\(i % 2 == 0 ? "-" : "")\(i * 7919 % 100_003).\(String(i * 31 % 10_000))\(i % 3 == 0 ? "00" : "")") }
        for text in texts {
            let d = Decimal(string: text, locale: l)!
            #expect(LedgerRules.plainText(d) == d.description, "\(text)")
        }
        #expect(LedgerRules.plainText(Decimal(string: "0.1")! + Decimal(string: "0.2")!) == "0.3")
    }

    @Test func equalRowsWrittenDifferentlyShareAFingerprintAndRepeatsCountUp() throws {
        let a = try LedgerCSV.parse("date,type,symbol,quantity,price,fee,amount,currency\n2024-01-03,BUY,AAA,10,10.50,0,-105,USD\n")
        let b = try LedgerCSV.parse("date,type,symbol,quantity,price,fee,amount,currency\n2024-01-03,BUY,AAA,10.0,10.5,0.00,-105.0,USD\n")
        #expect(LedgerRules.fingerprints(a) == LedgerRules.fingerprints(b))
        let twice = LedgerRules.fingerprints(a + b)
        #expect(twice[0].hasSuffix("-1") && twice[1].hasSuffix("-2") && twice[0].dropLast(2) == twice[1].dropLast(2))
    }
}
