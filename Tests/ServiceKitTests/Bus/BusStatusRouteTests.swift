import BourseTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import ServiceKit

/// A service that opts in to the bus.
struct BusEchoService: BourseService {
    static let descriptor = ServiceDescriptor(name: "busecho", migrations: BusMigrations.all, summary: "Test service with a bus.",
                                              endpoints: [], usesBus: true)

    let bus: EventBus

    init(environment: ServiceEnvironment) async throws {
        bus = EventBus(database: environment.database!, registry: environment.metrics.registry)
    }

    func addRoutes(to router: ServiceRouter) {
        bus.addStatusRoute(to: router)
    }
}

@Suite struct BusStatusRouteTests {
    @Test func statusRouteShowsTopicsGroupsAndLagOnServicesThatUseTheBus() async throws {
        try await TestSupport.withService(BusEchoService.self) { service, _, app in
            try await service.bus.publish(topic: "bars", payload: Data())
            try await service.bus.publish(topic: "bars", payload: Data())
            try await service.bus.replay(group: "store", topic: "bars", from: .offset(1))
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/status/bus", method: .get) { response in
                    #expect(response.status == .ok)
                    let status = try JSONDecoder().decode(BusStatus.self, from: Data(String(buffer: response.body).utf8))
                    #expect(status.topics.map(\.topic) == ["bars"])
                    #expect(status.topics.first?.events == 2)
                    #expect(status.groups.map(\.lag) == [1])
                    #expect(String(buffer: response.body).contains("\"last_sequence\""))
                }
            }
        }
    }

    @Test func statusRouteIsAbsentOnServicesThatDoNotOptIn() async throws {
        try await TestSupport.withService(EchoService.self) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/status/bus", method: .get) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }
}
