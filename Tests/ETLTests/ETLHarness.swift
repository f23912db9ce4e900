import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import ServiceKit
import ServiceLifecycle
import Testing
@testable import ETL

/// The `etl` service built as `bourse serve` builds it, with its router test client and, optionally, its background
/// services (bus relay, job worker) running. Short poll and backoff settings keep tests fast.
struct ETLHarness: Sendable {
    let engine: Database.Engine
    let databaseURL: String
    let dataDir: String

    static func make(_ engine: Database.Engine) async throws -> ETLHarness {
        ETLHarness(engine: engine, databaseURL: try await TestSupport.databaseURL(engine), dataDir: TestSupport.temporaryDirectory())
    }

    /// - Parameter ownsStore: whether to close the process's bus store afterwards (false for a second service nested in a
    ///   first one on the same store, which the first still uses).
    func run(settings extra: [String: String] = [:], worker: Bool = true, ownsStore: Bool = true,
             _ body: @escaping @Sendable (ETLService, any TestClientProtocol) async throws -> Void) async throws {
        var settings = ["database.url": databaseURL, "data.dir": dataDir, "etl.poll_seconds": "0.05", "etl.item_backoff_seconds": "0.05",
                        "etl.http_backoff_seconds": "0.01"]
        settings.merge(extra) { _, new in new }
        do {
            try await TestSupport.withService(ETLService.self, settings: settings) { service, _, app in
                try await app.test(.router) { client in
                    if worker {
                        try await Self.withBackground(service.backgroundServices) { try await body(service, client) }
                    } else {
                        try await body(service, client)
                    }
                }
            }
        } catch {
            if ownsStore { await closeStore() }
            throw error
        }
        if ownsStore { await closeStore() }
    }

    func closeStore() async {
        await BusStores.shared.close(url: engine == .postgres ? databaseURL : nil, dataDir: dataDir)
    }

    static func withBackground(_ services: [any Service], _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            do {
                try await body()
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}

extension TestClientProtocol {
    /// POSTs JSON and returns status, headers and body.
    func post(_ uri: String, json: String) async throws -> (HTTPResponse.Status, HTTPFields, ByteBuffer) {
        try await execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json)) {
            ($0.status, $0.headers, $0.body)
        }
    }

    func upload(_ symbol: String, _ data: Data, contentType: String = "text/csv") async throws -> (HTTPResponse.Status, HTTPFields, ByteBuffer) {
        try await execute(uri: "/api/v1/etl/collect/csv?symbol=\(symbol)", method: .post, headers: [.contentType: contentType],
                          body: ByteBuffer(bytes: data)) { ($0.status, $0.headers, $0.body) }
    }

    func status(_ id: String) async throws -> JobStatus? {
        try await execute(uri: "/api/v1/etl/status/\(id)", method: .get) { response in
            guard response.status == .ok else { return nil }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(JobStatus.self, from: Data(buffer: response.body))
        }
    }

    /// Polls the job until it is succeeded or failed (or 30 s pass) and returns its last status.
    func finished(_ id: String) async throws -> JobStatus {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let status = try #require(try await status(id))
            if status.state == .succeeded || status.state == .failed || ContinuousClock.now > deadline { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// The job id of a 202 answer.
func jobID(_ body: ByteBuffer) throws -> String {
    let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
    return try #require(object?["job_id"] as? String)
}

func json(_ body: ByteBuffer) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
}

extension ETLService {
    /// Rows of a table in the service's own database.
    func count(_ table: String) async throws -> Int {
        try await repository.database.withSQL { sql in
            Int(try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }

    /// The `etl.bars.collected` events that reached the bus store (the relay runs every 25 ms).
    func collectedEvents(expecting count: Int) async throws -> [BarsCollectedEvent] {
        var events: [BusEvent] = []
        _ = await TestSupport.eventually(.seconds(10)) {
            events = (try? await bus.events(topic: BarsCollectedEvent.topic, limit: 1000)) ?? []
            return events.count >= count
        }
        return try events.map { try $0.decode(BarsCollectedEvent.self) }
    }
}
