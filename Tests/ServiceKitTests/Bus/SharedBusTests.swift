import BourseTesting
import Foundation
import SQLKit
import ServiceLifecycle
import Testing
@testable import ServiceKit

/// The platform's bus: publishers' outboxes relayed to a store shared by several processes, on SQLite (one WAL
/// file, several connections) and PostgreSQL (schema `bourse_bus`, several pools).
@Suite struct SharedBusTests {
    struct Rollback: Error {}
    struct Boom: Error {}

    @Test(arguments: TestSupport.engines)
    func rolledBackTransactionLeavesNothingInTheOutboxOrOnTheBus(engine: Database.Engine) async throws {
        try await SharedBusFixture.with(engine) { f, open in
            let etl = try await open("etl")
            try await etl.own.withSQL { try await $0.raw("CREATE TABLE jobs (id TEXT NOT NULL)").run() }
            let bus = etl.bus
            await #expect(throws: Rollback.self) {
                try await etl.own.transaction { sql in
                    try await sql.raw("INSERT INTO jobs (id) VALUES (\(bind: "lost"))").run()
                    try await bus.publish(topic: "etl.bars.collected", key: "ORCL", payload: Data("lost".utf8), in: sql)
                    throw Rollback()
                }
            }
            #expect(try await SharedBusFixture.count("bus_outbox", in: etl.own) == 0)
            let receipt = try await etl.own.transaction { sql in
                try await sql.raw("INSERT INTO jobs (id) VALUES (\(bind: "kept"))").run()
                return try await bus.publish(topic: "etl.bars.collected", key: "ORCL", payload: Data("kept".utf8), in: sql)
            }
            #expect(receipt.sequence == nil)  // not on the bus until relayed
            #expect(try await bus.events(topic: "etl.bars.collected").isEmpty)
            #expect(try await bus.relay?.drain() == 1)
            let events = try await bus.events(topic: "etl.bars.collected")
            #expect(events.map(\.payload) == [Data("kept".utf8)])
            #expect(events.map(\.id) == [receipt.eventID])
            #expect(try await SharedBusFixture.count("bus_outbox", in: etl.own) == 0)
        }
    }

    @Test(arguments: TestSupport.engines)
    func relayRepeatedAfterACrashBeforeItsDeleteAddsNoEvent(engine: Database.Engine) async throws {
        try await SharedBusFixture.with(engine) { f, open in
            let etl = try await open("etl")
            for i in 0..<3 { try await etl.bus.publish(topic: "t", key: "k", payload: Data([UInt8(i)]), eventID: "e\(i)") }
            let pending = try await etl.own.withSQL { sql in
                try await sql.raw("SELECT id, topic, event_key, event_id, payload, headers, created_at FROM bus_outbox ORDER BY id")
                    .all(decoding: OutboxRow.self)
            }
            #expect(pending.count == 3)
            #expect(try await etl.bus.relay?.drain() == 3)
            // The crash: the store committed, the outbox delete never happened.
            try await etl.own.transaction { sql in
                for row in pending {
                    try await sql.raw("""
                        INSERT INTO bus_outbox (id, topic, event_key, event_id, payload, headers, created_at)
                        VALUES (\(bind: row.id), \(bind: row.topic), \(bind: row.key), \(bind: row.eventID), \(bind: row.payload),
                                \(bind: row.headers), \(bind: row.createdAt))
                        """).run()
                }
            }
            // The publisher retrying with the same event id is also harmless.
            try await etl.bus.publish(topic: "t", key: "k", payload: Data([0]), eventID: "e0")
            #expect(try await etl.bus.relay?.drain() == 3)
            let events = try await etl.bus.events(topic: "t")
            #expect(events.map(\.id) == ["e0", "e1", "e2"])
            #expect(try await SharedBusFixture.count("bus_outbox", in: etl.own) == 0)
            #expect(sample("bourse_bus_outbox_pending", in: etl.metrics) == 0)
            #expect(sample("bourse_bus_relayed_total", in: etl.metrics) == 6)
        }
    }

    @Test(arguments: TestSupport.engines)
    func twoProcessesOnOneStoreShareAGroupAndKeepEachKeyInOrder(engine: Database.Engine) async throws {
        try await SharedBusFixture.with(engine) { f, open in
            let etl = try await open("etl")
            let dataA = try await open("data_a")
            let dataB = try await open("data_b")
            let keys = ["AAPL", "MSFT", "ORCL", "IBM", "SAP"]
            var published: [String: [String]] = [:]
            let seen = Recorder()
            let handler: @Sendable (BusDelivery) async throws -> Void = { delivery in
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...2)))
                seen.record(delivery)
            }
            let a = dataA.bus.subscribe(topic: "bars", group: "data", options: .test(), logger: TestSupport.logger, handler: handler)
            let b = dataB.bus.subscribe(topic: "bars", group: "data", options: .test(), logger: TestSupport.logger, handler: handler)
            try await running(services: [etl.bus.relay!], consumers: [a, b]) {
                for round in 0..<10 {
                    for key in keys {
                        let id = "\(key)-\(round)"
                        try await etl.own.transaction { sql in
                            _ = try await etl.bus.publish(topic: "bars", key: key, payload: Data(id.utf8), eventID: id, in: sql)
                        }
                        published[key, default: []].append(id)
                    }
                }
                try await eventually("every event through the relay and both consumers") { Set(seen.ids).count == 50 }
            }
            #expect(seen.count == 50)
            for key in keys { #expect(seen.all.filter { $0.event.key == key }.map(\.event.id) == published[key]) }
            #expect(Set(seen.all.map(\.group)) == ["data"])
        }
    }

    @Test(arguments: TestSupport.engines)
    func eventIsRedeliveredToAnotherProcessWhenItsConsumerDies(engine: Database.Engine) async throws {
        try await SharedBusFixture.with(engine) { f, open in
            let etl = try await open("etl")
            let dying = try await open("data_dying")
            let survivor = try await open("data_survivor")
            try await etl.bus.publish(topic: "bars", key: "ORCL", payload: Data(), eventID: "only")
            try await etl.bus.relay?.drain()
            let first = Recorder()
            let never = Gate()
            let doomed = dying.bus.subscribe(topic: "bars", group: "data", options: .test(lease: .milliseconds(300)), logger: TestSupport.logger) {
                first.record($0)
                try await never.wait()
            }
            try await running([doomed]) { try await eventually("first delivery") { first.count == 1 } }
            let second = Recorder()
            let consumer = survivor.bus.subscribe(topic: "bars", group: "data", options: .test(lease: .milliseconds(300)), logger: TestSupport.logger) {
                second.record($0)
            }
            try await running([consumer]) { try await eventually("redelivery in the other process") { second.count == 1 } }
            #expect(second.all.map(\.event.id) == ["only"])
            #expect(second.all.first?.attempt == 2)
        }
    }

    @Test(arguments: TestSupport.engines)
    func deadLetterGoesToTheStoreAndReplayRedelivers(engine: Database.Engine) async throws {
        try await SharedBusFixture.with(engine) { f, open in
            let etl = try await open("etl")
            let data = try await open("data")
            try await etl.bus.publish(topic: "bars", key: "ORCL", payload: Data("bad".utf8), eventID: "bad")
            try await etl.bus.publish(topic: "bars", key: "ORCL", payload: Data("good".utf8), eventID: "good")
            try await etl.bus.relay?.drain()
            let calls = Recorder()
            let consumer = data.bus.subscribe(topic: "bars", group: "data", options: .test(maxAttempts: 2), logger: TestSupport.logger) { delivery in
                calls.record(delivery)
                if delivery.event.id == "bad" { throw Boom() }
            }
            try await running([consumer]) {
                try await eventually("the key to move on after the dead letter") { calls.ids.contains("good") }
                #expect(calls.ids == ["bad", "bad", "good"])
                try await data.bus.replay(group: "data", topic: "bars", from: .beginning)
                try await eventually("the replay") { calls.ids.filter { $0 == "good" }.count == 2 }
            }
            let dead = try await etl.bus.events(topic: "bars.dlq")
            #expect(dead.map(\.id) == ["data:bad"])
            #expect(try await SharedBusFixture.count("bus_outbox", in: data.own) == 0)
        }
    }

    @Test(arguments: TestSupport.engines)
    func replayWhileTheHandlerStillRunsDeliversTheEventAgainAfterIt(engine: Database.Engine) async throws {
        try await SharedBusFixture.with(engine) { f, open in
            let etl = try await open("etl")
            let data = try await open("data")
            try await etl.bus.publish(topic: "bars", key: "ORCL", payload: Data(), eventID: "e")
            try await etl.bus.relay?.drain()
            let seen = Recorder()
            let gate = Gate()
            // A 60 s lease: only the replay's claim, handed over when the first handler returns, can deliver again in time.
            let consumer = data.bus.subscribe(topic: "bars", group: "data", options: .test(lease: .seconds(60)), logger: TestSupport.logger) {
                seen.record($0)
                if seen.count == 1 { try await gate.wait() }
            }
            try await running([consumer]) {
                try await eventually("first delivery") { seen.count == 1 }
                try await data.bus.replay(group: "data", topic: "bars", from: .beginning)
                try await Task.sleep(for: .milliseconds(100))  // the consumer claims the replayed event meanwhile
                gate.release()
                try await eventually("the replayed delivery", timeout: .seconds(10)) { seen.count == 2 }
                try await eventually("the group to finish") {
                    try await BusStatus.build(data.store).groups.first?.lag == 0
                }
            }
            #expect(seen.all.map(\.attempt) == [1, 1])
        }
    }

    @Test(.enabled(if: TestSupport.runPostgresTests))
    func notifyWakesTheRelayAndAnotherProcesssConsumerWithoutAPoll() async throws {
        // Polls 30 s apart: only NOTIFY (sent at commit by the outbox insert and by the relay's append) can
        // deliver within the deadline.
        let engine = Database.Engine.postgres
        try await SharedBusFixture.with(engine) { f, open in
            let etl = try await open("etl")
            let data = try await open("data")
            let seen = Recorder()
            let poll: Duration = .seconds(30)
            let options = BusSubscription(pollInterval: poll)
            let consumer = data.bus.subscribe(topic: "bars", group: "data", options: options, logger: TestSupport.logger) { seen.record($0) }
            var relay = etl.bus.relay!
            relay.pollInterval = poll
            let listeners = data.bus.services.filter { $0 is BusListener } + etl.bus.services.filter { $0 is BusListener }
            try await running(services: [relay] + listeners, consumers: [consumer]) {
                try await Task.sleep(for: .milliseconds(500))  // consumer idle, listeners connected
                let start = ContinuousClock.now
                try await etl.own.transaction { sql in
                    _ = try await etl.bus.publish(topic: "bars", key: "ORCL", payload: Data(), eventID: "fast", in: sql)
                }
                try await eventually("delivery", timeout: .seconds(10)) { seen.count == 1 }
                // Far below the 30 s polls, with room for a loaded machine.
                #expect(ContinuousClock.now - start < .seconds(5))
            }
        }
    }
}
