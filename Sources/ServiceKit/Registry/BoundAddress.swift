import Synchronization

/// The address the HTTP server actually bound (port 0 becomes a real port), published once the server runs
/// so that registration can advertise it.
public final class BoundAddress: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    public init() {}

    public func publish(port: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, Never>] in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The bound port, waiting until the server has bound it.
    public func port() async -> Int {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Int? in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// When this instance last renewed its registration with the gateway, for `/health/detailed`.
public final class RegistrationStatus: Sendable {
    private let lastRenewal = Mutex<ContinuousClock.Instant?>(nil)

    public init() {}

    func renewed(at instant: ContinuousClock.Instant = .now) {
        lastRenewal.withLock { $0 = instant }
    }

    /// Passes when the registration was renewed within `window`; the error says since when it was not.
    public func check(window: Duration) throws {
        let last = lastRenewal.withLock { $0 }
        guard let last else { throw RegistrationCheckError(detail: "not registered with the gateway yet") }
        let age = ContinuousClock.now - last
        guard age <= window else {
            throw RegistrationCheckError(detail: "last renewed with the gateway \(Int(age.inSeconds)) s ago")
        }
    }
}

struct RegistrationCheckError: Error, CustomStringConvertible {
    let detail: String
    var description: String { detail }
}
