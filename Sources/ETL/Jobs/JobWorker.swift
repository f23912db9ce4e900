import Logging
import ServiceKit
import ServiceLifecycle

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

    /// See ``ClaimLoop`` (shutdown lets the items in hand finish; cancelled ones resume when their lease expires).
    func run() async throws {
        let (repository, runner, lease) = (repository, runner, lease)
        await ClaimLoop(what: "etl items", concurrency: concurrency, pollInterval: pollInterval, wakeups: wakeups, logger: logger,
                        claim: { try await repository.claimDue(limit: $0, lease: lease) }, process: { await runner.process($0) }).run()
    }
}
