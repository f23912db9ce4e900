import BourseTesting
import Foundation
import SQLKit
import Synchronization
@testable import ServiceKit

/// A migrated bus database for one test, closed afterwards.
struct BusFixture {
    let url: String
    let database: Database
    let metrics: HTTPMetrics
    let bus: EventBus

    static func open(url: String) async throws -> BusFixture {
        let database = try await Database.open(url: url, dataDir: TestSupport.temporaryDirectory(), service: "bus", logger: TestSupport.logger)
        try await Migrator(database: database, migrations: BusMigrations.all).up()
        let metrics = HTTPMetrics(service: "bus")
        return BusFixture(url: url, database: database, metrics: metrics, bus: EventBus(database: database, registry: metrics.registry))
    }

    static func with(_ engine: Database.Engine, _ body: (BusFixture) async throws -> Void) async throws {
        let fixture = try await open(url: try await TestSupport.databaseURL(engine))
        do {
            try await body(fixture)
        } catch {
            await fixture.database.close()
            throw error
        }
        await fixture.database.close()
    }

    /// The value of one labelled sample in the Prometheus text, if present.
    func sample(_ name: String, topic: String, group: String) -> Double? {
        let prefix = "\(name){topic=\"\(topic)\",group=\"\(group)\"} "
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }
}

/// Events handled, in the order handlers ran.
final class Recorder: Sendable {
    private let state = Mutex<[BusDelivery]>([])

    func record(_ delivery: BusDelivery) { state.withLock { $0.append(delivery) } }
    var all: [BusDelivery] { state.withLock { $0 } }
    var ids: [String] { all.map(\.event.id) }
    var count: Int { state.withLock { $0.count } }
}

/// A latch that handlers wait on until the test opens it (cancellation ends the wait).
final class Gate: Sendable {
    private let open = Atomic<Bool>(false)

    func release() { open.store(true, ordering: .relaxed) }

    func wait() async throws {
        while !open.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(2)) }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` until it holds; fails after `timeout` so that no test can hang.
func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Runs `consumers` while `body` runs, then cancels them (as if their process died) and waits for them to stop.
func running<R: Sendable>(_ consumers: [BusConsumer], _ body: () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for consumer in consumers { group.addTask { try await consumer.run() } }
        do {
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Fast retries and polls so tests spend milliseconds, not seconds, waiting.
extension BusSubscription {
    static func test(maxConcurrent: Int = 4, maxAttempts: Int = 5, lease: Duration = .seconds(30)) -> BusSubscription {
        BusSubscription(maxConcurrent: maxConcurrent, maxAttempts: maxAttempts, initialBackoff: .milliseconds(5),
                        maxBackoff: .milliseconds(20), lease: lease, pollInterval: .milliseconds(20))
    }
}
