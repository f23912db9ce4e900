/// A per-instance circuit breaker over a count-based sliding window.
///
/// Closed: calls flow; the last `windowSize` outcomes are kept and, once at least `minimumCalls` are in the
/// window, a failure share at or above `failureRateThreshold` opens the circuit. Open: no calls for
/// `openDuration`. Half-open: at most `halfOpenProbes` calls at once; that many successes close the circuit,
/// any failure opens it again. A value type driven by explicit instants, so tests control time.
public struct CircuitBreaker: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        public var windowSize: Int = 20
        public var minimumCalls: Int = 10
        public var failureRateThreshold: Double = 0.5
        public var openDuration: Duration = .seconds(5)
        public var halfOpenProbes: Int = 3

        public init() {}
    }

    public enum State: Sendable, Equatable {
        case closed
        case open(until: ContinuousClock.Instant)
        case halfOpen(inFlight: Int, successes: Int)

        /// 0 closed, 1 half-open, 2 open (the metric's encoding).
        public var gaugeValue: Int {
            switch self {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
        }

        public var name: String {
            switch self {
            case .closed: "closed"
            case .halfOpen: "half-open"
            case .open: "open"
            }
        }
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed
    private var window: [Bool] = []   // true = failure
    private var next = 0
    private var failures = 0

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        window.reserveCapacity(configuration.windowSize)
    }

    /// Whether the circuit is closed (cheaper than comparing states: the common case of every call).
    @inlinable public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// Gives back the probe slot of a half-open call that ended without an outcome (its client went away).
    public mutating func abandon() {
        if case .halfOpen(let inFlight, let successes) = state { state = .halfOpen(inFlight: max(0, inFlight - 1), successes: successes) }
    }

    /// Whether a call may go to this instance now; in half-open, a `true` reserves one probe slot.
    public mutating func tryAcquire(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen(inFlight: 1, successes: 0)
            return true
        case .halfOpen(let inFlight, let successes):
            guard inFlight < configuration.halfOpenProbes else { return false }
            state = .halfOpen(inFlight: inFlight + 1, successes: successes)
            return true
        }
    }

    /// Whether a call could be admitted now, without reserving anything (for listings and candidate filtering).
    public func wouldAdmit(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until): return now >= until
        case .halfOpen(let inFlight, _): return inFlight < configuration.halfOpenProbes
        }
    }

    /// Records the outcome of a call admitted by ``tryAcquire(now:)``; `true` when ``state`` changed (a closed
    /// circuit tripped, or any outcome in half-open), so callers need not compare states.
    @discardableResult
    public mutating func record(failure: Bool, now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed:
            push(failure)
            guard window.count >= configuration.minimumCalls,
                  Double(failures) / Double(window.count) >= configuration.failureRateThreshold else { return false }
            trip(now: now)
        case .halfOpen(let inFlight, let successes):
            if failure {
                trip(now: now)
            } else if successes + 1 >= configuration.halfOpenProbes {
                state = .closed
                resetWindow()
            } else {
                state = .halfOpen(inFlight: max(0, inFlight - 1), successes: successes + 1)
            }
        case .open:
            return false  // a late outcome of a call admitted before the circuit opened
        }
        return true
    }

    private mutating func trip(now: ContinuousClock.Instant) {
        state = .open(until: now + configuration.openDuration)
        resetWindow()
    }

    private mutating func resetWindow() {
        window.removeAll(keepingCapacity: true)
        next = 0
        failures = 0
    }

    private mutating func push(_ failure: Bool) {
        if window.count < configuration.windowSize {
            window.append(failure)
        } else {
            if window[next] { failures -= 1 }
            window[next] = failure
            next = (next + 1) % configuration.windowSize
        }
        if failure { failures += 1 }
    }
}
