import Synchronization

/// Wakes the consumers of this process when it publishes, so local delivery does not wait for a poll.
/// Other processes' events are found by polling (see ``BusSubscription/pollInterval``).
final class BusWakeups: Sendable {
    private let signals = Mutex<[Int: WakeSignal]>([:])
    private let nextID = Atomic<Int>(0)

    func register(_ signal: WakeSignal) -> Int {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        signals.withLock { $0[id] = signal }
        return id
    }

    func unregister(_ id: Int) {
        _ = signals.withLock { $0.removeValue(forKey: id) }
    }

    func signal() {
        for signal in signals.withLock({ Array($0.values) }) { signal.signal() }
    }
}

/// A wake-up flag a single waiter sleeps on, with a timeout; signals while nobody waits are remembered once.
final class WakeSignal: Sendable {
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

    /// Returns at the next signal, after `timeout`, or when the task is cancelled, whichever comes first.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Cancelled early (a signal came) or not, waking the waiter again is harmless: at most one extra poll.
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
