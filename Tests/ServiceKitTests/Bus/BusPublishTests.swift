import BourseTesting
import Foundation
import SQLKit
import Testing
@testable import ServiceKit

/// Publishing, the transactional outbox and idempotency marks, on SQLite and PostgreSQL.
@Suite struct BusPublishTests {
    struct Rollback: Error {}

    struct Note: Codable, Equatable {
        let symbol: String
        let close: Double
    }

    @Test(arguments: TestSupport.engines)
    func rolledBackTransactionPublishesNothingAndCommittedOnePublishesOnce(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            try await f.database.withSQL { try await $0.raw("CREATE TABLE notes (body TEXT NOT NULL)").run() }
            let bus = f.bus
            await #expect(throws: Rollback.self) {
                try await f.database.transaction { sql in
                    try await sql.raw("INSERT INTO notes (body) VALUES (\(bind: "lost"))").run()
                    try await bus.publish(topic: "notes.added", key: "n", json: Note(symbol: "ORCL", close: 1), in: sql)
                    throw Rollback()
                }
            }
            #expect(try await f.bus.events(topic: "notes.added").isEmpty)
            try await f.database.transaction { sql in
                try await sql.raw("INSERT INTO notes (body) VALUES (\(bind: "kept"))").run()
                try await bus.publish(topic: "notes.added", key: "n", json: Note(symbol: "ORCL", close: 2), in: sql)
            }
            let events = try await f.bus.events(topic: "notes.added")
            #expect(events.count == 1)
            #expect(try events.first?.decode(Note.self) == Note(symbol: "ORCL", close: 2))
            #expect(events.first?.headers["content-type"] == "application/json")
            let rows = try await f.database.withSQL { try await $0.raw("SELECT body FROM notes").all() }
            #expect(rows.count == 1)
        }
    }

    @Test(arguments: TestSupport.engines)
    func republishingAnEventIDIsAHarmlessRepeat(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            let first = try await f.bus.publish(topic: "t", key: "k", payload: Data([1, 2, 3]), headers: ["a": "b"], eventID: "e-1")
            let again = try await f.bus.publish(topic: "t", key: "k", payload: Data([9]), eventID: "e-1")
            let otherTopic = try await f.bus.publish(topic: "u", payload: Data([9]), eventID: "e-1")
            #expect(first.sequence != nil)
            #expect(again.sequence == nil)
            #expect(otherTopic.sequence != nil)
            let events = try await f.bus.events(topic: "t")
            #expect(events.map(\.payload) == [Data([1, 2, 3])])
            #expect(events.first?.headers == ["a": "b"])
            #expect(events.first?.key == "k")
        }
    }

    @Test(arguments: TestSupport.engines)
    func alreadyProcessedMarksOnlyWhenTheHandlersTransactionCommits(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            await #expect(throws: Rollback.self) {
                try await f.database.transaction { sql in
                    #expect(try await EventBus.alreadyProcessed(eventID: "e", group: "g", in: sql) == false)
                    throw Rollback()
                }
            }
            let first = try await f.database.transaction { try await EventBus.alreadyProcessed(eventID: "e", group: "g", in: $0) }
            let second = try await f.database.transaction { try await EventBus.alreadyProcessed(eventID: "e", group: "g", in: $0) }
            let otherGroup = try await f.database.transaction { try await EventBus.alreadyProcessed(eventID: "e", group: "h", in: $0) }
            #expect(first == false)
            #expect(second == true)
            #expect(otherGroup == false)
        }
    }
}
