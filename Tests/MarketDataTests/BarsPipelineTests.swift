import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Quant
import SQLKit
import ServiceLifecycle
import Testing
@testable import MarketData
@testable import ServiceKit

/// `etl.bars.collected` → the `data` service → `data.bars.stored`, through the shared bus, on SQLite and PostgreSQL.
@Suite struct BarsPipelineTests {
    /// A publisher standing in for the `etl` process: its own database with an outbox and its own store handle.
    struct Publisher {
        let own: Database
        let store: Database
        let bus: EventBus

        static func open(_ setup: DataServiceHarness.Setup) async throws -> Publisher {
            let own = try await Database.open(url: setup.busURL, dataDir: setup.dataDir, service: "etl", logger: TestSupport.logger)
            try await Migrator(database: own, migrations: BusMigrations.local).up()
            let store = try await Database.open(url: setup.busURL, dataDir: setup.dataDir, service: "bus", logger: TestSupport.logger)
            return Publisher(own: own, store: store, bus: EventBus(store: store, outbox: own, registry: HTTPMetrics(service: "etl").registry))
        }

        func publish(_ event: BarsCollectedEvent) async throws {
            let id = BarsCollectedEvent.eventID(jobID: event.jobID, run: event.run, symbol: event.symbol, batchIndex: event.batchIndex)
            try await own.transaction { sql in
                _ = try await bus.publish(topic: BarsCollectedEvent.topic, key: event.symbol, json: event, eventID: id, in: sql)
            }
            try await bus.relay?.drain()
        }

        func close() async {
            await own.close()
            await store.close()
        }
    }

    static func event(job: String, run: Int, bars: [DailyBar], scale: Double = 1) -> BarsCollectedEvent {
        BarsCollectedEvent(
            symbol: "ORCL", source: "csv", jobID: job, run: run, batchIndex: 0, batchCount: 1,
            bars: bars.map { .init(date: $0.date, open: $0.open * scale, high: $0.high * scale, low: $0.low * scale, close: $0.close * scale,
                                   adjClose: $0.adjClose * scale, volume: $0.volume) },
            instrument: .init(name: "Oracle", exchange: "NYSE", currency: "usd", type: "equity"), qualityScore: 99.5)
    }

    @Test(arguments: TestSupport.engines)
    func collectedBarsAreStoredOnceAnnouncedAndNeverChangedByARedelivery(engine: Database.Engine) async throws {
        let daily = Array(try MarketRoutesTests.bars("orcl-1995-2014.csv").prefix(300))
        let setup = try await DataServiceHarness.setup(engine)
        try await DataServiceHarness.with(setup) { service, _, app in
            let etl = try await Publisher.open(setup)
            do {
                try await etl.publish(Self.event(job: "j1", run: 0, bars: daily))
                try await runUntil(service) {
                    try await service.bus.events(topic: BarsStoredEvent.topic).count == 1
                }
                #expect(try await service.bars.range(symbol: "ORCL", from: nil, to: nil) == daily)
                let stored = try await service.bus.events(topic: BarsStoredEvent.topic)
                let announcement = try stored[0].decode(BarsStoredEvent.self)
                #expect(announcement.inserted == 300 && announcement.updated == 0)
                #expect(announcement.firstDate == daily.first?.date && announcement.lastDate == daily.last?.date)

                // A redelivery of the same event (its consumer died before acknowledging): nothing changes, nothing is announced.
                let original = try #require(try await etl.bus.events(topic: BarsCollectedEvent.topic).first)
                let consumer = BarsCollectedConsumer(database: service.bars.database, bus: service.bus)
                try await consumer.handle(BusDelivery(event: original, group: BarsCollectedConsumer.group, attempt: 2))
                // A later collection of the same dates with other values does not change a stored bar either.
                try await etl.publish(Self.event(job: "j2", run: 0, bars: daily, scale: 2))
                try await runUntil(service) { try await service.bus.events(topic: BarsStoredEvent.topic).count == 2 }
                #expect(try await service.bars.range(symbol: "ORCL", from: nil, to: nil) == daily)
                #expect(try await service.bus.events(topic: BarsStoredEvent.topic)[1].decode(BarsStoredEvent.self).inserted == 0)
                // A transform replay (run 1) overwrites, as the topic's contract says.
                try await etl.publish(Self.event(job: "j1", run: 1, bars: Array(daily.prefix(10)), scale: 2))
                try await runUntil(service) { try await service.bus.events(topic: BarsStoredEvent.topic).count == 3 }
                let replayed = try await service.bars.range(symbol: "ORCL", from: nil, to: daily[9].date)
                #expect(replayed.map(\.close) == daily.prefix(10).map { $0.close * 2 })
                #expect(try await service.bus.events(topic: BarsStoredEvent.topic)[2].decode(BarsStoredEvent.self).updated == 10)

                try await app.test(.router) { client in
                    try await client.execute(uri: "/api/v1/data/instruments/ORCL", method: .get) { response in
                        #expect(response.status == .ok)
                        #expect(String(buffer: response.body).contains(#""name":"Oracle""#))
                    }
                    try await client.execute(uri: "/api/v1/data/quality/metrics?symbol=orcl", method: .get) { response in
                        let metrics = try JSONDecoder().decode(QualityRoutes.Metrics.self, from: Data(buffer: response.body))
                        #expect(metrics.series.map(\.bars) == [300])
                        #expect(metrics.series.first?.qualityScore == 99.5)
                        #expect(metrics.series.first?.firstDate == daily.first?.date)
                    }
                    try await client.execute(uri: "/api/status/bus", method: .get) { response in
                        let status = try JSONDecoder().decode(SharedBusStatus.self, from: Data(buffer: response.body))
                        #expect(status.groups.contains { $0.group == "data" && $0.topic == BarsCollectedEvent.topic && $0.lag == 0 })
                        #expect(status.outboxPending == 0)
                    }
                }
            } catch {
                await etl.close()
                throw error
            }
            await etl.close()
        }
    }

    /// Runs the service's background services (relay, listeners, consumer) until `condition` holds.
    func runUntil(_ service: MarketDataService, _ condition: @escaping () async throws -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for background in service.backgroundServices { group.addTask { try await background.run() } }
            let deadline = ContinuousClock.now + .seconds(20)
            // The relay deletes what it relayed in a step after the store commit: wait for that too, so that stopping
            // the services here is not the crash between the two (tested in SharedBusTests).
            func done() async throws -> Bool {
                guard try await condition() else { return false }
                return try await service.bus.status().outboxPending == 0
            }
            while try await !done() {
                guard ContinuousClock.now < deadline else {
                    group.cancelAll()
                    Issue.record("timed out waiting for the pipeline")
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}
