import BourseTesting
import Foundation
import Logging
import SQLKit
import ServiceLifecycle
import Testing
@testable import ServiceKit

/// The consumer as a service among others, and an idempotent handler across redeliveries.
@Suite struct BusLifecycleTests {
    @Test(arguments: TestSupport.engines)
    func gracefulShutdownLetsTheRunningHandlerFinishAndAcknowledge(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            try await f.bus.publish(topic: "bars", key: "ORCL", payload: Data())
            let started = Recorder()
            let gate = Gate()
            let consumer = f.bus.subscribe(topic: "bars", group: "store", options: .test(), logger: TestSupport.logger) { delivery in
                started.record(delivery)
                try await gate.wait()
            }
            let group = ServiceGroup(services: [consumer], logger: TestSupport.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await eventually("the handler to start") { started.count == 1 }
                await group.triggerGracefulShutdown()
                gate.release()
                try await tasks.waitForAll()
            }
            let status = try await BusStatus.build(f.database)
            #expect(status.groups.map(\.lag) == [0])
            #expect(f.sample("bourse_bus_delivered_total", topic: "bars", group: "store") == 1)
        }
    }

    @Test(arguments: TestSupport.engines)
    func idempotentHandlerWritesOnceAlthoughTheEventIsDeliveredAgain(engine: Database.Engine) async throws {
        try await BusFixture.with(engine) { f in
            try await f.database.withSQL { try await $0.raw("CREATE TABLE stored (event_id TEXT NOT NULL)").run() }
            try await f.bus.publish(topic: "bars", key: "ORCL", payload: Data(), eventID: "e-1")
            let seen = Recorder()
            let database = f.database
            let consumer = f.bus.subscribe(topic: "bars", group: "store", options: .test(), logger: TestSupport.logger) { delivery in
                try await database.transaction { sql in
                    if try await delivery.alreadyProcessed(in: sql) { return }
                    try await sql.raw("INSERT INTO stored (event_id) VALUES (\(bind: delivery.event.id))").run()
                }
                seen.record(delivery)
            }
            try await running([consumer]) {
                try await eventually("first delivery") { seen.count == 1 }
                try await f.bus.replay(group: "store", topic: "bars", from: .beginning)
                try await eventually("second delivery") { seen.count == 2 }
            }
            let rows = try await f.database.withSQL { try await $0.raw("SELECT event_id FROM stored").all() }
            #expect(rows.count == 1)
        }
    }
}
