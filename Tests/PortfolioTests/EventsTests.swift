import BourseTesting
import Foundation
import Testing
import ServiceKit
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
