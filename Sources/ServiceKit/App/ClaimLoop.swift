import Logging
import ServiceLifecycle
import Synchronization

/// The loop of a worker over leased jobs: claim up to `concurrency` due items, process them concurrently, and when
/// nothing is due wait for a local wake-up or `pollInterval` (items queued by other processes are found by polling).
/// On graceful shutdown it claims nothing more and lets the items in hand finish; if they are cancelled instead, their
/// leases expire and the next worker resumes them.
public struct ClaimLoop<Claim: Sendable>: Sendable {
    let what: String
    let concurrency: Int
    let pollInterval: Duration
    let wakeups: WakeSignal
    let logger: Logger
    let claim: @Sendable (Int) async throws -> [Claim]
    let process: @Sendable (Claim) async -> Void

    /// - Parameters:
    ///   - what: names the items in logs (`"etl items"`).
    ///   - claim: claims up to the given number of due items (each with its lease).
    ///   - process: processes one claimed item; it handles its own failures.
    public init(what: String, concurrency: Int, pollInterval: Duration, wakeups: WakeSignal, logger: Logger,
                claim: @escaping @Sendable (Int) async throws -> [Claim], process: @escaping @Sendable (Claim) async -> Void) {
        (self.what, self.concurrency, self.pollInterval, self.wakeups, self.logger) = (what, concurrency, pollInterval, wakeups, logger)
        (self.claim, self.process) = (claim, process)
    }

    public func run() async {
        let stopping = Atomic<Bool>(false)
        await withGracefulShutdownHandler {
            while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
                let claimed: [Claim]
                do {
                    claimed = try await claim(concurrency)
                } catch {
                    logger.error("claiming \(what) failed", metadata: ["error": .string(String(reflecting: error))])
                    claimed = []
                }
                if claimed.isEmpty {
                    await wakeups.wait(timeout: pollInterval)
                    continue
                }
                await withDiscardingTaskGroup { batch in
                    for item in claimed { batch.addTask { await process(item) } }
                }
            }
        } onGracefulShutdown: {
            stopping.store(true, ordering: .relaxed)
            wakeups.signal()
        }
    }
}
