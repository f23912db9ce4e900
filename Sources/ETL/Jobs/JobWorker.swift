import Logging
import ServiceLifecycle
import Synchronization

/// Wakes the worker at once when a job is queued in this process (other processes' jobs are found by polling).
/// A signal while the worker is busy is remembered once, so a job queued mid-cycle is not left for the next poll.
/// (The same shape as ServiceKit's internal `WakeSignal` of the bus, which is not public.)
final class JobWakeups: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next signal, after `timeout`, or soon after the task is cancelled.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Whether it slept out or was cancelled (a signal came, or shutdown), waking the waiter is harmless.
                try? await Task.sleep(for: timeout)
                self.signal()
            }
            group.addTask { await self.waitForSignal() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

/// The background service that runs jobs: it claims due items (including those a dead process left running, once
/// their lease expires, so jobs survive restarts) and processes up to `etl.worker_concurrency` at once.
struct JobWorker: Service {
    let repository: JobRepository
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
                let claimed: [JobRepository.Claim]
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
