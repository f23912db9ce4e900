import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Sends one logical request to a service: picks an instance, bounds the whole chain by one deadline (passed
/// downstream in `X-Bourse-Timeout-Ms`), and retries an idempotent request on another instance after a
/// connection failure or a 503, as its ``RetryPolicy`` allows. The gateway's router path and the
/// service-to-service client both call through this; the gateway's event-loop proxy applies the same policy.
public struct UpstreamCaller: Sendable {
    public let pool: UpstreamPool
    public let http: HTTPClient
    public let metrics: RoutingMetrics?
    public let retry: RetryPolicy
    public var budget: RetryBudget { retry.budget }

    public init(pool: UpstreamPool, http: HTTPClient, budget: RetryBudget, metrics: RoutingMetrics? = nil, maxAttempts: Int = 3) {
        self.pool = pool
        self.http = http
        self.metrics = metrics
        self.retry = RetryPolicy(maxAttempts: maxAttempts, budget: budget, metrics: metrics)
    }

    /// The header that carries the time left, in milliseconds, to the next hop.
    public static let timeoutHeader = "X-Bourse-Timeout-Ms"

    public struct Answer {
        public let response: HTTPClientResponse
        public let instance: UpstreamPool.Instance
        public let attempts: Int
    }

    /// Why no answer came back.
    public enum Failure: Error, Equatable {
        case unknownService
        case noHealthyInstance
        case timeout
        /// The instance could not be reached or broke the connection (after any retries).
        case unreachable(String)
    }

    enum AttemptError {
        case connect
        case broken
        case timeout
    }

    /// Whether a request may be sent twice (``RetryPolicy/isIdempotent(method:hasIdempotencyKey:)``).
    public static func isIdempotent(method: String, hasIdempotencyKey: Bool) -> Bool {
        RetryPolicy.isIdempotent(method: method, hasIdempotencyKey: hasIdempotencyKey)
    }

    /// - Parameters:
    ///   - retryable: the request is idempotent and its body (if any) can be sent again.
    ///   - replayable: its body (if any) can be sent again (default: `retryable`). A refused connect reached no
    ///     instance, so such a request is tried on another instance even when it is not idempotent (a login).
    ///   - makeRequest: builds the request for an instance's base URL; called once per attempt.
    public func execute(
        service: String, retryable: Bool, replayable: Bool? = nil, deadline: ContinuousClock.Instant, logger: Logger,
        makeRequest: (UpstreamPool.Instance) -> HTTPClientRequest
    ) async throws(Failure) -> Answer {
        let replayable = replayable ?? retryable
        if replayable { retry.admit() }
        var tried: Set<String> = []
        var lastFailure = Failure.noHealthyInstance
        var attempt = 0
        func mayRetry() -> Bool {
            retryable && retry.mayRetry(service: service, attemptsMade: attempt, timeLeft: ContinuousClock.now < deadline)
        }
        func mayRetryUnsent() -> Bool {
            replayable && retry.mayRetry(service: service, attemptsMade: attempt, timeLeft: ContinuousClock.now < deadline)
        }
        while true {
            attempt += 1
            let instance: UpstreamPool.Instance
            switch pool.pick(service, excluding: tried) {
            case .unknownService: throw .unknownService
            case .noHealthyInstance: throw attempt == 1 ? .noHealthyInstance : lastFailure
            case .instance(let found): instance = found
            }
            tried.insert(instance.id)
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                pool.finish(instance, outcome: .success)  // not the instance's fault
                throw .timeout
            }
            var request = makeRequest(instance)
            request.headers.replaceOrAdd(name: Self.timeoutHeader, value: String(max(1, Int(remaining.inSeconds * 1000))))
            do {
                let response = try await http.execute(request, deadline: .now() + .nanoseconds(Int64(remaining.inSeconds * 1e9)), logger: logger)
                let status = response.status.code
                pool.finish(instance, outcome: status >= 500 ? .serverError : .success)
                metrics?.attempt(service: service, outcome: status >= 500 ? "5xx" : "ok")
                if status == 503, mayRetry() {
                    // Drain the refusal so the connection can be reused, then try another instance.
                    _ = try? await response.body.collect(upTo: 1 << 20)
                    lastFailure = .unreachable("\(service) instance \(instance.id) answered 503")
                    continue
                }
                return Answer(response: response, instance: instance, attempts: attempt)
            } catch {
                if Task.isCancelled {
                    // The caller went away (or gave up): the attempt's failure is its doing, not the instance's.
                    pool.abandon(instance)
                    throw .timeout
                }
                switch Self.classify(error) {
                case .timeout:
                    pool.finish(instance, outcome: .serverError)
                    metrics?.attempt(service: service, outcome: "timeout")
                    throw .timeout
                case .connect:
                    pool.finish(instance, outcome: .connectFailure)
                    metrics?.attempt(service: service, outcome: "connect_error")
                    lastFailure = .unreachable("cannot connect to \(service) instance \(instance.id)")
                case .broken:
                    // Possibly the request's doing (a client can craft one an upstream refuses by closing): counted
                    // like a 5xx toward ejection; only a refused connect is evidence that nothing is listening.
                    pool.finish(instance, outcome: .serverError)
                    metrics?.attempt(service: service, outcome: "broken")
                    lastFailure = .unreachable("\(service) instance \(instance.id) broke the connection")
                }
                logger.debug("upstream attempt failed", metadata: [
                    "service": .string(service), "upstream": .string(instance.url), "attempt": .stringConvertible(attempt),
                    "error": .string(String(reflecting: error)),
                ])
                let nothingSent: Bool
                if case .connect = Self.classify(error) { nothingSent = true } else { nothingSent = false }
                guard nothingSent ? mayRetryUnsent() : mayRetry() else { throw lastFailure }
            }
        }
    }

    static func classify(_ error: any Error) -> AttemptError {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .writeTimeout { return .timeout }
            if error == .connectTimeout { return .connect }
            return .broken
        }
        if error is NIOConnectionError { return .connect }
        if let error = error as? IOError, [ECONNREFUSED, ECONNRESET, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) {
            return error.errnoCode == ECONNRESET ? .broken : .connect
        }
        if let error = error as? ChannelError, error == .connectTimeout(.seconds(0)) || "\(error)".contains("connectTimeout") {
            return .connect
        }
        return .broken
    }
}
