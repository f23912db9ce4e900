import BourseTesting
import Foundation
import SQLKit
import Synchronization
import Testing
@testable import ServiceKit

/// Delivery guarantees of consumer groups, on SQLite and PostgreSQL. Every wait is bounded by `eventually`.
@Suite struct BusConsumerTests {
    struct Boom: Error {}

    @Test(arguments: TestSupport.engines)
    func eventIsRedeliveredWhenTheConsumerDiesBeforeAcknowledging(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            let receipt = try await f.bus.publish(topic: "bars", key: "ORCL", payload: Data("1".utf8))
            let dying = Recorder()
            let never = Gate()
            let first = f.bus.subscribe(topic: "bars", group: "store", options: .test(lease: .milliseconds(300)), logger: TestSupport.logger) { delivery in
                dying.record(delivery)
                try await never.wait()
            }
            try await running([first]) {
                try await eventually("first delivery") { dying.count == 1 }
            }
            let survivor = Recorder()
            let second = f.bus.subscribe(topic: "bars", group: "store", options: .test(lease: .milliseconds(300)), logger: TestSupport.logger) { survivor.record($0) }
            try await running([second]) {
                try await eventually("redelivery after the lease ran out") { survivor.count == 1 }
            }
            #expect(dying.ids == [receipt.eventID])
            #expect(survivor.ids == [receipt.eventID])
            #expect(survivor.all.first?.attempt == 2)
        }
    }

    @Test(arguments: TestSupport.engines)
    func failingEventIsRetriedThenDeadLetteredAndTheKeyMovesOn(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            try await f.bus.publish(topic: "bars", key: "ORCL", payload: Data("bad".utf8), eventID: "bad")
            try await f.bus.publish(topic: "bars", key: "ORCL", payload: Data("good".utf8), eventID: "good")
            let calls = Recorder()
            let consumer = f.bus.subscribe(topic: "bars", group: "store", options: .test(maxAttempts: 3), logger: TestSupport.logger) { delivery in
                calls.record(delivery)
                if delivery.event.id == "bad" { throw Boom() }
            }
            try await running([consumer]) {
                try await eventually("the next event of the key") { calls.ids.contains("good") }
            }
            #expect(calls.ids == ["bad", "bad", "bad", "good"])
            #expect(calls.all.map(\.attempt) == [1, 2, 3, 1])
            let dead = try await f.bus.events(topic: "bars.dlq")
            #expect(dead.count == 1)
            #expect(dead.first?.payload == Data("bad".utf8))
            #expect(dead.first?.headers["bus-group"] == "store")
            #expect(dead.first?.headers["bus-original-event-id"] == "bad")
            #expect(f.sample("bourse_bus_dead_lettered_total", topic: "bars", group: "store") == 1)
            #expect(f.sample("bourse_bus_failed_total", topic: "bars", group: "store") == 3)
            let status = try await BusStatus.build(f.database)
            #expect(status.topics.first { $0.topic == "bars" }?.deadLetters == 1)
        }
    }

    @Test(arguments: TestSupport.engines)
    func replayFromAnOffsetOrATimeDeliversTheLaterEventsAgain(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            var receipts: [BusReceipt] = []
            for i in 1...5 { receipts.append(try await f.bus.publish(topic: "bars", key: "k\(i)", payload: Data([UInt8(i)]))) }
            let ids = receipts.map(\.eventID)
            let seen = Recorder()
            let consumer = f.bus.subscribe(topic: "bars", group: "store", options: .test(), logger: TestSupport.logger) { seen.record($0) }
            try await running([consumer]) {
                try await eventually("first pass") { seen.count == 5 }
                let offset = try await f.bus.replay(group: "store", topic: "bars", from: .offset(receipts[1].sequence!))
                #expect(offset == receipts[1].sequence)
                try await eventually("replay from the offset") { seen.count == 8 }
                try await f.bus.replay(group: "store", topic: "bars", from: .time(Date(timeIntervalSince1970: 0)))
                try await eventually("replay from a time") { seen.count == 13 }
            }
            #expect(Set(seen.ids.prefix(5)) == Set(ids))
            #expect(Set(seen.ids[5..<8]) == Set(ids[2...]))
            #expect(Set(seen.ids[8...]) == Set(ids))
        }
    }

    @Test(arguments: TestSupport.engines)
    func eventsOfOneKeyAreHandledInOrderWhileKeysRunConcurrently(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            let keys = ["AAPL", "MSFT", "ORCL", "IBM"]
            var published: [String: [String]] = [:]
            for _ in 0..<12 {
                for key in keys { published[key, default: []].append(try await f.bus.publish(topic: "bars", key: key, payload: Data()).eventID) }
            }
            let seen = Recorder()
            // Random handler times shuffle completions, so any ordering bug shows up as a reordered key.
            let handler: @Sendable (BusDelivery) async throws -> Void = { delivery in
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...3)))
                seen.record(delivery)
            }
            let a = f.bus.subscribe(topic: "bars", group: "store", options: .test(maxConcurrent: 4), logger: TestSupport.logger, handler: handler)
            let b = f.bus.subscribe(topic: "bars", group: "store", options: .test(maxConcurrent: 4), logger: TestSupport.logger, handler: handler)
            try await running([a, b]) {
                try await eventually("every event") { Set(seen.ids).count == 48 }
            }
            for key in keys {
                let order = seen.all.filter { $0.event.key == key }.map(\.event.id)
                #expect(order == published[key])
            }
            #expect(seen.count == 48)
        }
    }

    @Test(arguments: TestSupport.engines)
    func twoConsumersOfOneGroupNeverHandleTheSameEvent(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            // A second connection pool / file handle, as a second process would have.
            let other = try await BusFixture.open(url: f.url)
            do {
                for _ in 0..<60 { try await f.bus.publish(topic: "bars", payload: Data()) }
                let seen = Recorder()
                let a = f.bus.subscribe(topic: "bars", group: "store", options: .test(maxConcurrent: 4), logger: TestSupport.logger) { seen.record($0) }
                let b = other.bus.subscribe(topic: "bars", group: "store", options: .test(maxConcurrent: 4), logger: TestSupport.logger) { seen.record($0) }
                let ids = try await running([a, b]) { () -> [String] in
                    try await eventually("every event") { Set(seen.ids).count == 60 }
                    try await eventually("the offset to pass every event") {
                        try await BusStatus.build(f.database).groups.first?.lag == 0
                    }
                    return seen.ids
                }
                #expect(ids.count == 60)
                #expect(Set(ids).count == 60)
            } catch {
                await other.database.close()
                throw error
            }
            await other.database.close()
        }
    }

    @Test(arguments: TestSupport.engines)
    func lagGaugeCountsTheEventsTheGroupHasNotFinished(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            for _ in 0..<5 { try await f.bus.publish(topic: "bars", key: "ORCL", payload: Data()) }
            let gate = Gate()
            let consumer = f.bus.subscribe(topic: "bars", group: "store", options: .test(maxConcurrent: 1), logger: TestSupport.logger) { _ in try await gate.wait() }
            try await running([consumer]) {
                try await eventually("lag 5") { f.sample("bourse_bus_consumer_lag", topic: "bars", group: "store") == 5 }
                gate.release()
                try await eventually("lag 0") { f.sample("bourse_bus_consumer_lag", topic: "bars", group: "store") == 0 }
            }
            #expect(f.sample("bourse_bus_delivered_total", topic: "bars", group: "store") == 5)
            let status = try await BusStatus.build(f.database)
            #expect(status.groups == [BusStatus.Group(group: "store", topic: "bars", offset: status.topics[0].lastSequence, lag: 0, retrying: 0)])
        }
    }
}
