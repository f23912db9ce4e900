import BourseTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Quant
import ServiceKit
import Testing
@testable import ETL

/// Jobs through the router on SQLite and PostgreSQL: collection, upload, status, archive, publishing, transform.
@Suite struct JobLifecycleTests {
    @Test(arguments: TestSupport.engines)
    func aSyntheticCollectionRunsToSuccessAndPublishesEachSeries(engine: Database.Engine) async throws {
        try await ETLHarness.make(engine).run { service, client in
            let (status, headers, body) = try await client.post("/api/v1/etl/collect/synthetic",
                json: #"{"symbols":["syna","SYNB"],"from":"2020-01-01","to":"2020-12-31","options":{"seed":7}}"#)
            #expect(status == .accepted)
            let id = try jobID(body)
            #expect(headers[.location] == "/api/v1/etl/status/\(id)")
            let job = try await client.finished(id)
            #expect(job.state == .succeeded)
            #expect(job.counts.items == 2 && job.counts.succeeded == 2 && job.counts.failed == 0)
            #expect(job.counts.bars == 2 * 262 && job.counts.rows == 2 * 262 && job.counts.events == 2)
            #expect(job.progress == 1)
            #expect(job.qualityScore == 100)
            #expect(job.timings.startedAt != nil && job.timings.finishedAt != nil)
            let events = try await service.collectedEvents(expecting: 2)
            #expect(Set(events.map(\.symbol)) == ["SYNA", "SYNB"])
            #expect(events.allSatisfy { $0.jobID == id && $0.source == "synthetic" && $0.run == 0 && $0.batchCount == 1 && $0.bars.count == 262 })
            var parameters = SyntheticSeries.Parameters()
            parameters.seed = 7
            let expected = SyntheticSeries.generate(symbol: "SYNA", from: "2020-01-01", to: "2020-12-31", parameters: parameters)
            #expect(events.first { $0.symbol == "SYNA" }?.bars.map(\.close) == expected.map(\.close))
            try await client.execute(uri: "/metrics", method: .get) { response in
                let lines = String(buffer: response.body).split(separator: "\n")
                #expect(lines.contains { $0.hasPrefix("bourse_etl_items_total{") && $0.contains(#"outcome="succeeded""#) && $0.hasSuffix(" 2") })
                #expect(lines.contains { $0.hasPrefix("bourse_etl_bars_published_total{") && $0.hasSuffix(" 524") })
            }
            try await client.execute(uri: "/api/status/bus", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(BarsCollectedEvent.topic))
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func anUploadedPriceFileIsArchivedAsReceivedAndPublishedInBatchesOfAtMost5000(engine: Database.Engine) async throws {
        let harness = try await ETLHarness.make(engine)
        let file = try Fixture.price("orcl-1995-2014.csv")
        try await harness.run { service, client in
            let (status, headers, body) = try await client.upload("orcl", file)
            #expect(status == .accepted)
            let id = try jobID(body)
            #expect(headers[.location] == "/api/v1/etl/status/\(id)")
            let job = try await client.finished(id)
            #expect(job.state == .succeeded)
            #expect(job.source == "csv" && job.counts.bars == 5036 && job.counts.events == 2)
            let item = try #require(job.items.first)
            #expect(item.symbol == "ORCL")
            // NYSE holidays are not configured, so they count as gaps: the score is below 100 but the bars all pass.
            #expect((item.quality?.missingBars ?? 0) > 0 && (item.quality?.score ?? 100) < 100)
            let archived = try #require(item.archive.first)
            let today = Resampler.isoDate(daysSinceEpoch: Int(Date().timeIntervalSince1970 / 86_400))
            #expect(archived.path == "csv/ORCL/\(today)-\(id).csv")
            // The checksum the price files' README records: the archive holds the bytes as uploaded.
            #expect(archived.sha256 == "352b9e0985969d2eb27bfbf65049da3c68fd2a5eebc2d43bec7ccfe553521253")
            let stored = URL(fileURLWithPath: harness.dataDir).appendingPathComponent("raw").appendingPathComponent(archived.path)
            #expect(try Data(contentsOf: stored) == file)
            let sidecar = try String(contentsOf: stored.appendingPathExtension("sha256"), encoding: .utf8)
            #expect(sidecar == "\(archived.sha256)  \(today)-\(id).csv\n")
            let events = try await service.collectedEvents(expecting: 2).sorted { $0.batchIndex < $1.batchIndex }
            try #require(events.map(\.bars.count) == [5000, 36])
            #expect(events.map(\.batchCount) == [2, 2])
            #expect(events[0].bars.first == BarsCollectedEvent.Bar(date: "1995-01-03", open: 2.179012, high: 2.191358, low: 2.117284,
                                                                   close: 2.117284, adjClose: 1.883304, volume: 36_301_200))
            #expect(events[1].bars.last?.date == "2014-12-31")
        }
    }

    @Test(arguments: TestSupport.engines)
    func anUploadWithBadRowsIsRefusedWith422ListingEveryRowAndNothingIsStored(engine: Database.Engine) async throws {
        let harness = try await ETLHarness.make(engine)
        try await harness.run { service, client in
            let (status, headers, body) = try await client.upload("BAD", try Fixture.data("csv/bad_rows.csv"))
            #expect(status == .unprocessableContent)
            #expect(headers[.contentType] == "application/problem+json")
            let problem = try json(body)
            #expect(problem["type"] as? String == "https://bourse.dev/problems/validation")
            let rows = try #require(problem["rows"] as? [[String: Any]])
            #expect(rows.compactMap { $0["line"] as? Int } == [3, 4, 5, 6, 7, 8, 9])
            #expect(rows.compactMap { $0["column"] as? String } == ["High", "Low", "Volume", "Date", "High", "Date", "row"])
            #expect((problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "line 3, column High")
            #expect(problem["bad_rows"] as? Int == 7)
            #expect(try await service.count("etl_jobs") == 0)
            #expect(try await service.count("etl_raw") == 0)
            #expect(try await service.count("bus_outbox") == 0)
            #expect(try await service.bus.events(topic: BarsCollectedEvent.topic).isEmpty)
            let raw = URL(fileURLWithPath: harness.dataDir).appendingPathComponent("raw").path
            #expect((try? FileManager.default.contentsOfDirectory(atPath: raw))?.isEmpty ?? true)
        }
    }

    @Test func uploadsNeedASymbolAndACSVBody() async throws {
        try await ETLHarness.make(.sqlite).run(worker: false) { service, client in
            let csv = Data("Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n".utf8)
            let wrongType = try await client.upload("ORCL", csv, contentType: "application/json").0
            let noSymbol = try await client.upload("", csv).0
            let badSymbol = try await client.upload("BAD%20SYMBOL", csv).0
            #expect(wrongType == .unsupportedMediaType && noSymbol == .badRequest && badSymbol == .badRequest)
            let jobs = try await service.count("etl_jobs")
            #expect(jobs == 0)
        }
    }

    @Test func badCollectionRequestsAre4xxNamingTheFieldAndCreateNoJob() async throws {
        try await ETLHarness.make(.sqlite).run(worker: false) { service, client in
            let (unknown, _, unknownBody) = try await client.post("/api/v1/etl/collect/bloomberg", json: #"{"symbols":["A"]}"#)
            let unknownDetail = try json(unknownBody)["detail"] as? String
            #expect(unknown == .notFound && unknownDetail?.contains("bloomberg") == true)
            let (status, _, body) = try await client.post("/api/v1/etl/collect/stooq",
                json: #"{"symbols":["ok.us","bad symbol","OK.US"],"from":"2020-02-30","to":"2019-01-01","options":{"splits":"soon"}}"#)
            #expect(status == .badRequest)
            let fields = Set((try json(body)["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["/symbols/1", "/symbols", "/from", "/options/splits"])
            let (noKey, _, noKeyBody) = try await client.post("/api/v1/etl/collect/alphavantage", json: #"{"symbols":["IBM"]}"#)
            let noKeyDetail = try json(noKeyBody)["detail"] as? String
            #expect(noKey == .badRequest && noKeyDetail?.contains("etl.alpha_vantage_key") == true)
            #expect(try await client.post("/api/v1/etl/collect/worldbank", json: #"{"symbols":["GDP"]}"#).0 == .badRequest)
            #expect(try await client.post("/api/v1/etl/collect/synthetic", json: #"{"symbols":["S"]}"#).0 == .badRequest)
            #expect(try await client.post("/api/v1/etl/collect/stooq", json: #"{"symbols":[]}"#).0 == .badRequest)
            #expect(try await client.post("/api/v1/etl/collect/stooq", json: "{").0 == .badRequest)
            #expect(try await service.count("etl_jobs") == 0)
            #expect(try await client.status("no-such-job") == nil)
        }
    }

    @Test func apiKeysAreConfiguredAsSecretsAndShownRedacted() async throws {
        try await ETLHarness.make(.sqlite).run(settings: ["etl.alpha_vantage_key": "AVSECRET", "etl.fred_key": "FREDSECRET"], worker: false) { _, client in
            try await client.execute(uri: "/api/status/config", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(text.contains("etl.alpha_vantage_key") && text.contains("etl.fred_key"))
                #expect(!text.contains("AVSECRET") && !text.contains("FREDSECRET"))
            }
        }
    }
}
