import AsyncHTTPClient
import BourseTesting
import Foundation
import NIOCore
import ServiceKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `data` and `etl` are SIGKILLed while three real price files are being ingested (uploads accepted, jobs publishing
/// through etl's outbox and relay, data consuming): once `bourse up` has restarted them, every job reports success
/// and every bar of every file is stored exactly once — on SQLite and on PostgreSQL.
@Suite(.serialized) struct CrashSafetyTests {
    @Test(arguments: TestSupport.engines)
    func killingDataAndETLMidIngestStoresEveryBarExactlyOnce(engine: Database.Engine) async throws {
        // A claimed job item whose worker died is taken over when its lease runs out: short here, so the test waits
        // seconds rather than the default two minutes.
        var environment = ["BOURSE_ETL_ITEM_LEASE_SECONDS": "3", "BOURSE_ETL_ITEM_BACKOFF_SECONDS": "0.5"]
        if engine == .postgres { environment["BOURSE_DATABASE_URL"] = try await TestSupport.databaseURL(.postgres) }
        let platform = try await RunningPlatform.start(environment: environment)
        defer { platform.stop() }
        let (up, session, token) = (platform.process, platform.session, platform.token)
        let listing = try await session.call(.GET, "/api/v1/gateway/services", token: token).json()["services"] as? [[String: Any]] ?? []
        func pid(_ service: String) throws -> Int32 {
            let instances = listing.first { $0["name"] as? String == service }?["instances"] as? [[String: Any]] ?? []
            let id = try #require(instances.first?["instance_id"] as? String)
            return try #require(Int32(id.split(separator: "-").last ?? ""))
        }
        let (dataPID, etlPID) = (try pid("data"), try pid("etl"))

        let pipeline = PipelineTests()
        var expected: [String: [PipelineTests.Row]] = [:]
        var jobs: [String] = []
        for file in PipelineTests.files {
            let symbol = String(file.prefix { $0 != "-" }).uppercased()
            let text = try String(contentsOf: PipelineTests.pricesDir.appendingPathComponent(file), encoding: .utf8)
            expected[symbol] = PipelineTests.rows(text)
            let (status, body) = try await pipeline.upload(session, token: token, symbol: symbol, csv: text)
            try #require(status == 202, "\(file): \(body)")
            let accepted = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
            jobs.append(try #require(accepted["job_id"] as? String))
            // The first upload's bars are on their way to data when it dies; etl dies while it publishes the rest.
            if jobs.count == 1 { kill(dataPID, SIGKILL) }
        }
        kill(etlPID, SIGKILL)

        let restarted = await TestSupport.eventually(.seconds(60)) { up.log.components(separatedBy: "restarted").count > 2 }
        try #require(restarted, "the supervisor did not restart both:\n\(up.log)")
        for job in jobs {
            let done = await TestSupport.eventually(.seconds(120)) {
                let reply = try? await session.call(.GET, "/api/v1/etl/status/\(job)", token: token)
                return reply?.json()["state"] as? String == "succeeded"
            }
            #expect(done, "job \(job) did not succeed")
        }
        for (symbol, rows) in expected.sorted(by: { $0.key < $1.key }) {
            var stored: [PipelineTests.Row] = []
            let complete = await TestSupport.eventually(.seconds(120)) {
                guard let (code, csv) = try? await pipeline.csv(session, token: token, "/api/v1/data/market/\(symbol)?from=1900-01-01"),
                      code == 200 else { return false }
                stored = PipelineTests.rows(csv)
                return stored.count >= rows.count
            }
            #expect(complete, "\(symbol): \(stored.count) of \(rows.count) bars")
            pipeline.expectEqual(stored, rows, "\(symbol) on \(engine)")
        }
        print("crash safety (\(engine)): \(expected.values.map(\.count).reduce(0, +)) bars of \(jobs.count) jobs stored exactly once after data and etl were SIGKILLed mid-ingest")
    }
}
