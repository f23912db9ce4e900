import Logging
import NIOCore
import NIOPosix
@preconcurrency import PostgresKit
import ServiceLifecycle

/// PostgreSQL `LISTEN/NOTIFY` wake-ups for the bus: a dedicated connection listens on one channel and wakes this
/// process's consumers (channel ``channel``, notified by every append to the log) or its relay (``outboxChannel``,
/// notified by every outbox insert). Notifications are sent by the writing transaction and delivered only when
/// it commits, so a wake-up always finds its event; polling stays as the fallback for a lost connection.
///
/// The connection is its own, not one of `Database`'s pool: a listening connection must stay open and outside
/// any pool's rotation, and postgres-kit's pooled sessions expose SQLKit only, not the `PostgresConnection` whose
/// `listen(on:consume:)` receives notifications.
struct BusListener: Service {
    /// Notified (payload: the topic) at each append to the bus log.
    static let channel = "bourse_bus"
    /// Notified at each outbox insert (any service's; a relay woken by another service's commit only polls once).
    static let outboxChannel = "bourse_bus_outbox"

    let url: String
    let listenChannel: String
    let wakeups: BusWakeups
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await listenOnce()
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("bus LISTEN connection failed; consumers fall back to polling until it is back",
                                   metadata: ["channel": .string(listenChannel), "error": .string(String(reflecting: error))])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func listenOnce() async throws {
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 0, logger: logger).get()
        do {
            try await withTaskCancellationHandler {
                try await connection.listen(on: listenChannel) { notifications in
                    // Whatever was committed while nobody listened is found by this first wake-up.
                    wakeups.signal()
                    for try await _ in notifications { wakeups.signal() }
                }
            } onCancel: {
                connection.close().whenComplete { _ in }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }
}
