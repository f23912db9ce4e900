import BourseTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Quant
import ServiceKit
import Testing
@testable import ETL

/// What makes jobs durable: restarts, retries with backoff, replays from the archive, and the outbox.
@Suite struct JobRecoveryTests {
    @Test(arguments: TestSupport.engines)
    func queuedAndInterruptedItemsAreResumedAfterARestart(engine: Database.Engine) async throws {
        let harness = try await ETLHarness.make(engine)
        let box = IDBox()
        // First process: accepts the job; one item is claimed by a worker that then "dies" (its lease runs out).
        try await harness.run(worker: false) { service, client in
            let (status, _, body) = try await client.post("/api/v1/etl/collect/synthetic",
                json: #"{"symbols":["R1","R2","R3"],"from":"2021-01-01","to":"2021-03-31"}"#)
            #expect(status == .accepted)
            await box.set(try jobID(body))
            let claimed = try await service.repository.claimDue(limit: 1, lease: .milliseconds(1))
            #expect(claimed.count == 1)
            let job = try #require(try await client.status(await box.id))
            #expect(job.state == .running && job.counts.running == 1 && job.counts.queued == 2)
        }
        // Second process on the same database and data directory: its worker finishes everything.
        try await harness.run { service, client in
            let job = try await client.finished(await box.id)
            #expect(job.state == .succeeded)
            #expect(job.counts.succeeded == 3)
            #expect(job.items.map(\.attempts).sorted() == [1, 1, 2])
            #expect(try await service.collectedEvents(expecting: 3).count == 3)
        }
    }

    @Test(arguments: TestSupport.engines)
    func twoProcessesShareTheQueueWithoutProcessingAnItemTwice(engine: Database.Engine) async throws {
        let harness = try await ETLHarness.make(engine)
        let symbols = (1...24).map { "\"W\($0)\"" }.joined(separator: ",")
        try await harness.run(settings: ["etl.worker_concurrency": "3"]) { first, client in
            try await harness.run(settings: ["etl.worker_concurrency": "3"], ownsStore: false) { second, _ in
                let (_, _, body) = try await client.post("/api/v1/etl/collect/synthetic",
                    json: #"{"symbols":[\#(symbols)],"from":"2022-01-01","to":"2022-06-30"}"#)
                let job = try await client.finished(try jobID(body))
                #expect(job.state == .succeeded && job.counts.succeeded == 24)
                // A second claim of an item would show as a second attempt.
                #expect(job.items.allSatisfy { $0.attempts == 1 })
                #expect(try await first.collectedEvents(expecting: 24).count == 24)
                _ = second
            }
        }
    }

    @Test func aRateLimitedItemIsRetriedWithBackoffAndEveryPayloadIsArchived() async throws {
        let limit = try String(decoding: Fixture.data("stooq/daily_limit.csv"), as: UTF8.self)
        let csv = try String(decoding: Fixture.data("stooq/aapl_us_d.csv"), as: UTF8.self)
        let script = ProviderScript([.init(body: limit), .init(status: .serviceUnavailable, body: "down"), .init(body: csv)])
        let harness = try await ETLHarness.make(.sqlite)
        try await ProviderStub.run(script) { base in
            // Stooq's hits limit asks for an hour; the configured ceiling keeps the test short.
            try await harness.run(settings: ["etl.stooq_url": base + "/q/d/l/", "etl.http_max_attempts": "1"]) { service, client in
                let (_, _, body) = try await client.post("/api/v1/etl/collect/stooq", json: #"{"symbols":["aapl.us"]}"#)
                let id = try jobID(body)
                _ = await TestSupport.eventually(.seconds(10)) { (try? await client.status(id))?.items.first?.state == .retrying }
                let waiting = try #require(try await client.status(id))
                #expect(waiting.items.first?.error?.contains("daily hits limit") == true)
                #expect((waiting.items.first?.nextAttemptAt ?? .distantPast) > Date().addingTimeInterval(3000))
                // Pull the retry forward instead of waiting an hour: the item is due now.
                try await service.repository.database.withSQL { sql in
                    try await sql.raw("UPDATE etl_items SET next_attempt_at = 0 WHERE job_id = \(bind: id)").run()
                }
                let job = try await client.finished(id)
                #expect(job.state == .succeeded)
                let item = try #require(job.items.first)
                #expect(item.attempts == 3 && item.bars == 8)
                // The hits-limit answer and the good CSV were archived; the 503 carried no payload.
                #expect(item.archive.count == 2)
                #expect(item.archive.last?.path.hasSuffix("-\(id)-2.csv") == true)
            }
        }
        #expect(await script.count == 3)
    }

    @Test func aProviderRejectionFailsTheItemWithItsMessageAndPublishesNothing() async throws {
        let script = ProviderScript([.init(body: "No data")])
        try await ProviderStub.run(script) { base in
            try await ETLHarness.make(.sqlite).run(settings: ["etl.stooq_url": base + "/q/d/l/"]) { service, client in
                let (_, _, body) = try await client.post("/api/v1/etl/collect/stooq", json: #"{"symbols":["zzzz.us"]}"#)
                let job = try await client.finished(try jobID(body))
                #expect(job.state == .failed)
                #expect(job.errors.first?.message.contains("no data for ZZZZ.US") == true, "\(job.errors)")
                #expect(job.items.first?.attempts == 1)
                #expect(try await service.count("bus_outbox") == 0)
                #expect(try await service.bus.events(topic: BarsCollectedEvent.topic).isEmpty)
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func aTransformReplaysTheArchivedPayloadWithSplitAdjustment(engine: Database.Engine) async throws {
        let csv = "Date,Open,High,Low,Close,Adj Close,Volume\n2020-08-27,500,510,490,500,500,10\n2020-08-28,504,508,496,500,500,20\n2020-08-31,125,130,120,128,128,80\n"
        try await ETLHarness.make(engine).run { service, client in
            let id = try jobID(try await client.upload("SPL", Data(csv.utf8)).2)
            #expect(try await client.finished(id).state == .succeeded)
            let (status, _, body) = try await client.post("/api/v1/etl/transform/\(id)", json: #"{"options":{"splits":"2020-08-31:4"}}"#)
            #expect(status == .accepted)
            #expect(try json(body)["run"] as? Int == 1)
            let replayed = try await client.finished(id)
            #expect(replayed.state == .succeeded && replayed.run == 1 && replayed.request.options["splits"] == "2020-08-31:4")
            let events = try await service.collectedEvents(expecting: 2)
            let second = try #require(events.first { $0.run == 1 })
            #expect(second.bars.map(\.close) == [125, 125, 128])
            #expect(second.bars.map(\.volume) == [40, 80, 80])
            #expect(events.first { $0.run == 0 }?.bars.map(\.close) == [500, 500, 128])
            // The archive still holds the one payload as uploaded.
            #expect(replayed.items.first?.archive.count == 1)
        }
    }

    @Test func aTransformOfAnUnknownJobIs404AndOfAnUnfinishedJobIs409() async throws {
        try await ETLHarness.make(.sqlite).run(worker: false) { _, client in
            #expect(try await client.post("/api/v1/etl/transform/nope", json: "{}").0 == .notFound)
            let (_, _, body) = try await client.post("/api/v1/etl/collect/synthetic", json: #"{"symbols":["Q"],"from":"2021-01-01","to":"2021-01-31"}"#)
            #expect(try await client.post("/api/v1/etl/transform/\(try jobID(body))", json: "{}").0 == .conflict)
        }
    }

    @Test func anArchivedPayloadChangedOnDiskIsRefusedOnReplay() async throws {
        let harness = try await ETLHarness.make(.sqlite)
        try await harness.run { _, client in
            let csv = "Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n"
            let id = try jobID(try await client.upload("TAMP", Data(csv.utf8)).2)
            let job = try await client.finished(id)
            let path = try #require(job.items.first?.archive.first?.path)
            let url = URL(fileURLWithPath: harness.dataDir).appendingPathComponent("raw").appendingPathComponent(path)
            try Data((csv + "2024-01-03,10,11,9,10.5,100\n").utf8).write(to: url)
            _ = try await client.post("/api/v1/etl/transform/\(id)", json: "{}")
            let replayed = try await client.finished(id)
            #expect(replayed.state == .failed)
            #expect(replayed.errors.first?.message.contains("changed after it was archived") == true)
        }
    }

    @Test(arguments: TestSupport.engines)
    func barsEventsExistExactlyWhenTheItemCommits(engine: Database.Engine) async throws {
        try await ETLHarness.make(engine).run(settings: ["etl.batch_bars": "100"], worker: false) { service, _ in
            let repository = service.repository
            try await repository.create(id: "job-1", source: "synthetic", request: JobRequest(symbols: ["OUT"], from: "2021-01-01", to: "2021-12-31"))
            let claim = try #require(try await repository.claimDue(limit: 1, lease: .seconds(60)).first)
            let bars = SyntheticSeries.generate(symbol: "OUT", from: "2021-01-01", to: "2021-12-31", parameters: .init())
            let series = ValidatedSeries(symbol: "OUT", bars: bars, instrument: nil,
                                         quality: QualityReport.measure(bars, profile: .prices, settings: QualitySettings()))
            // A claim that was taken over: the transaction publishes, then fails to mark the item, and rolls back.
            var stale = claim
            stale = JobStore.Claim(jobID: stale.jobID, symbol: stale.symbol, source: stale.source, run: stale.run, request: stale.request,
                                        attempts: stale.attempts, token: "someone-else")
            await #expect(throws: JobStore.StaleClaim.self) {
                try await repository.complete(stale, series: series, rows: bars.count, batchBars: 100, bus: service.bus)
            }
            #expect(try await service.count("bus_outbox") == 0)
            #expect(try await client_status(service, "job-1")?.items.first?.state == .running)
            try await repository.complete(claim, series: series, rows: bars.count, batchBars: 100, bus: service.bus)
            #expect(try await service.count("bus_outbox") == 3)
            #expect(try await client_status(service, "job-1")?.state == .succeeded)
            #expect(try await service.bus.relay?.drain() == 3)
            let events = try await service.bus.events(topic: BarsCollectedEvent.topic)
            #expect(events.map(\.id) == (0..<3).map { "job-1:0:OUT:\($0)" })
            #expect(events.allSatisfy { $0.key == "OUT" })
            #expect(try events.map { try $0.decode(BarsCollectedEvent.self).bars.count } == [100, 100, 61])
        }
    }

    func client_status(_ service: ETLService, _ id: String) async throws -> JobStatus? {
        try await service.repository.status(id)
    }
}

actor IDBox {
    private(set) var id = ""
    func set(_ value: String) { id = value }
}
