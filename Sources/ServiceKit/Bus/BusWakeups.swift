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
