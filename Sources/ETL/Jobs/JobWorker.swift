import Logging
import ServiceLifecycle

/// Wakes the worker at once when a job is queued in this process (other processes' jobs are found by polling).
struct JobWakeups: Sendable {
    let stream: AsyncStream<Void>
    let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func signal() { continuation.yield() }
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

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                // The waiter turns wake-up signals into a flag the loop polls, so the loop never blocks on the stream.
                let pending = PendingFlag()
                group.addTask {
                    for await _ in wakeups.stream { await pending.set() }
                }
                while !Task.isCancelled {
                    let claimed: [JobRepository.Claim]
                    do {
                        claimed = try await repository.claimDue(limit: concurrency, lease: lease)
                    } catch {
                        logger.error("claiming etl items failed", metadata: ["error": .string(String(reflecting: error))])
                        claimed = []
                    }
                    if claimed.isEmpty {
                        await pending.wait(upTo: pollInterval)
                        continue
                    }
                    await withDiscardingTaskGroup { batch in
                        for claim in claimed { batch.addTask { await runner.process(claim) } }
                    }
                }
                wakeups.continuation.finish()
            }
        }
    }
}

/// A wake-up flag: `wait(upTo:)` returns early when it was set (and clears it).
actor PendingFlag {
    private var isSet = false

    func set() { isSet = true }

    func wait(upTo limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while !isSet, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
        isSet = false
    }
}
