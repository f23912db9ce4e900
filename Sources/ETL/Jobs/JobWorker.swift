import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Wakes the worker at once when a job is queued in this process (other processes' jobs are found by polling).
/// A signal while the worker is busy is remembered once, so a job queued mid-cycle is not left for the next poll.
typealias JobWakeups = WakeSignal

/// The background service that runs jobs: it claims due items (including those a dead process left running, once
/// their lease expires, so jobs survive restarts) and processes up to `etl.worker_concurrency` at once.
struct JobWorker: Service {
    let repository: JobStore
    let runner: JobRunner
    let wakeups: JobWakeups
    let concurrency: Int
    let lease: Duration
    let pollInterval: Duration
    let logger: Logger

    /// On graceful shutdown the worker claims nothing more but lets the items in hand finish (they are short); if
    /// shutdown cancels them instead, their leases expire and the next worker resumes them.
    func run() async throws {
        let stopping = Atomic<Bool>(false)
        await withGracefulShutdownHandler {
            while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
                let claimed: [JobStore.Claim]
                do {
                    claimed = try await repository.claimDue(limit: concurrency, lease: lease)
                } catch {
                    logger.error("claiming etl items failed", metadata: ["error": .string(String(reflecting: error))])
                    claimed = []
                }
                if claimed.isEmpty {
                    await wakeups.wait(timeout: pollInterval)
                    continue
                }
                await withDiscardingTaskGroup { batch in
                    for claim in claimed { batch.addTask { await runner.process(claim) } }
                }
            }
        } onGracefulShutdown: {
            stopping.store(true, ordering: .relaxed)
            wakeups.signal()
        }
    }
}
