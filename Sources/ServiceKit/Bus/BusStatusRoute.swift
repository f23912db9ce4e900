import Foundation
import Hummingbird

extension EventBus {
    /// Serves `GET /api/status/bus` (``CommonEndpoints/bus``; the service's descriptor says `usesBus: true`): the
    /// store's topics and groups (``BusStatus``) plus this service's outbox backlog.
    public func addStatusRoute(to router: ServiceRouter) {
        router.on(CommonEndpoints.bus) { _, _ in
            try JSONResponse(encoding: try await self.status())
        }
    }

    /// The store's topics and groups and this process's outbox backlog.
    public func status() async throws -> SharedBusStatus {
        let store = try await BusStatus.build(database)
        var pending: Int64 = 0
        if let outbox {
            pending = try await outbox.withSQL { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM bus_outbox").first()?.decode(column: "n", as: Int64.self) ?? 0
            }
        }
        return SharedBusStatus(store: database.location, topics: store.topics, groups: store.groups, outboxPending: pending)
    }
}

/// What `/api/status/bus` shows on the shared bus.
public struct SharedBusStatus: Sendable, Codable, Equatable {
    /// Where the store is (no credentials).
    public let store: String
    public let topics: [BusStatus.Topic]
    public let groups: [BusStatus.Group]
    /// Events committed in this service's outbox and not yet relayed.
    public let outboxPending: Int64

    enum CodingKeys: String, CodingKey {
        case store, topics, groups
        case outboxPending = "outbox_pending"
    }
}
