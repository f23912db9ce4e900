import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceLifecycle

/// Service-to-service calls by service name: the same discovery, balancing, circuit breaking, outlier
/// ejection, retries and deadlines as the gateway's proxy (both go through ``UpstreamCaller``).
public struct PeerClient: Sendable {
    public let caller: UpstreamCaller
    let credential: InternalCredential?

    public init(caller: UpstreamCaller, credential: InternalCredential? = nil) {
        self.caller = caller
        self.credential = credential
    }

    /// Calls `service` and collects its answer. Failures to get one become problems a route can throw as
    /// they are: 503 (no live instance), 502 (unreachable), 504 (deadline passed), 404 (unknown service).
    public func send(
        _ service: String, _ method: HTTPMethod, _ path: String, json body: (some Encodable & Sendable)? = Optional<Int>.none,
        deadline: ContinuousClock.Instant? = nil, trace: TraceContext? = nil, requestID: String? = nil, acting principal: Principal? = nil,
        logger: Logger = Logger(label: "peer"), maxResponseBytes: Int = 8 << 20, accept: String? = nil
    ) async throws -> ServiceClient.Reply {
        let payload = try body.map { try ServiceJSON.encoder().encode($0) }
        let retryable = UpstreamCaller.isIdempotent(method: method.rawValue, hasIdempotencyKey: false)
        let answer: UpstreamCaller.Answer
        do {
            answer = try await caller.execute(service: service, retryable: retryable, replayable: true, deadline: deadline ?? .now + .seconds(30),
                                              logger: logger) { instance in
                var request = HTTPClientRequest(url: instance.url + path)
                request.method = method
                if let trace { request.headers.replaceOrAdd(name: "traceparent", value: trace.traceparent) }
                if let requestID { request.headers.replaceOrAdd(name: "X-Request-ID", value: requestID) }
                if let accept { request.headers.replaceOrAdd(name: "Accept", value: accept) }
                // The user a call is made for travels with it, signed, so the peer applies that user's rights.
                for (name, value) in principal?.headerFields ?? [] { request.headers.replaceOrAdd(name: name, value: value) }
                if let credential {
                    request.headers.replaceOrAdd(name: InternalCredential.headerName,
                                                 value: credential.token(method: method.rawValue, target: path, identity: principal?.signedText ?? ""))
                }
                if let payload {
                    request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(bytes: payload))
                }
                return request
            }
        } catch {
            switch error {
            case .unknownService: throw Problem.notFound("No service named \(service) is known.")
            case .noHealthyInstance: throw Problem.serviceUnavailable("Service \(service) has no healthy instance right now.", retryAfterSeconds: 2)
            case .timeout: throw Problem.gatewayTimeout("Service \(service) did not answer before the deadline.")
            case .unreachable: throw Problem.badGateway("Service \(service) could not be reached.")
            }
        }
        let collected = try await answer.response.body.collect(upTo: maxResponseBytes)
        return ServiceClient.Reply(status: Int(answer.response.status.code), headers: answer.response.headers, body: collected)
    }
}

/// Keeps a service's ``UpstreamPool`` in step with the gateway's registry by reading its listing on an
/// interval, so peers are called directly (not through the gateway) with up-to-date instances.
public struct ServiceDirectory: Service {
    let pool: UpstreamPool
    let client: ServiceClient
    let gatewayURL: String
    let interval: Duration
    let logger: Logger
    /// The listing is not public: the gateway answers it to peers holding the internal credential (and admins).
    let credential: InternalCredential?

    public init(pool: UpstreamPool, client: ServiceClient, gatewayURL: String, interval: Duration, logger: Logger,
                credential: InternalCredential? = nil) {
        self.credential = credential
        self.pool = pool
        self.client = client
        self.gatewayURL = gatewayURL.hasSuffix("/") ? String(gatewayURL.dropLast()) : gatewayURL
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        _ = try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await refresh() } catch {
                    logger.debug("service directory refresh failed", metadata: ["error": .string("\(error)")])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Reads the gateway's listing once and updates the pool.
    public func refresh() async throws {
        let path = "/api/v1/gateway/services"
        let headers = credential.map { [(InternalCredential.headerName, $0.token(method: "GET", target: path))] } ?? []
        let reply = try await client.send(.GET, gatewayURL + path, headers: headers, timeout: .seconds(2))
        let listing = try RegistryListing.decode(Data(buffer: reply.body))
        for service in listing.services {
            pool.replace(service: service.name, with: service.instances.filter { $0.health != "expired" }.map {
                UpstreamPool.Instance(service: service.name, id: $0.instanceID, url: $0.url, version: $0.version, weight: $0.weight)
            })
        }
    }
}
