/// Passive outlier ejection: an instance that fails several calls in a row is taken out of rotation for a
/// while, longer each time it happens again, but never more than a share of a service's instances at once.
public struct OutlierDetector: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        /// Consecutive 5xx answers that eject.
        public var consecutiveErrors: Int = 5
        /// Consecutive connection failures that eject (a refused connection is a definite signal: 1).
        public var consecutiveConnectFailures: Int = 1
        /// First ejection lasts this long; the n-th lasts n times as long…
        public var baseEjection: Duration = .seconds(10)
        /// …up to this.
        public var maxEjection: Duration = .seconds(300)
        /// At most this share of a service's instances may be ejected at once (at least one may always be).
        public var maxEjectedShare: Double = 0.5

        public init() {}
    }

    public private(set) var consecutiveErrors = 0
    public private(set) var consecutiveConnectFailures = 0
    public private(set) var ejections = 0
    public private(set) var ejectedUntil: ContinuousClock.Instant?

    public init() {}

    public func isEjected(now: ContinuousClock.Instant) -> Bool {
        ejectedUntil.map { now < $0 } ?? false
    }

    public enum Outcome: Sendable {
        case success
        case serverError
        case connectFailure
    }

    /// Records an outcome; returns `true` when this instance should now be ejected (the caller checks the cap
    /// and then calls ``eject(now:configuration:)``).
    public mutating func record(_ outcome: Outcome, configuration: Configuration) -> Bool {
        switch outcome {
        case .success:
            consecutiveErrors = 0
            consecutiveConnectFailures = 0
            return false
        case .serverError:
            consecutiveErrors += 1
            return consecutiveErrors >= configuration.consecutiveErrors
        case .connectFailure:
            consecutiveConnectFailures += 1
            consecutiveErrors += 1
            return consecutiveConnectFailures >= configuration.consecutiveConnectFailures
                || consecutiveErrors >= configuration.consecutiveErrors
        }
    }

    /// Ejects for `base × n` (n = how many times it has been ejected, this one included), capped.
    public mutating func eject(now: ContinuousClock.Instant, configuration: Configuration) {
        ejections += 1
        let duration = min(configuration.baseEjection * ejections, configuration.maxEjection)
        ejectedUntil = now + duration
        consecutiveErrors = 0
        consecutiveConnectFailures = 0
    }
}
