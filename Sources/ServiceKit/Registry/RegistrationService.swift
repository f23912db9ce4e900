import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import ServiceLifecycle

/// Registers this instance with the gateway once its server is bound, renews the lease by heartbeats,
/// re-registers when the gateway forgot it (a gateway restart), and deregisters on graceful shutdown.
public struct RegistrationService: Service {
    let client: ServiceClient
    let gatewayURL: String
    let registration: @Sendable (Int) -> RegistrationRequest
    let address: BoundAddress
    let interval: Duration
    let logger: Logger
    let credential: InternalCredential?
    let status: RegistrationStatus

    public init(client: ServiceClient, gatewayURL: String, address: BoundAddress, credential: InternalCredential? = nil,
                status: RegistrationStatus = RegistrationStatus(), interval: Duration, logger: Logger,
                registration: @escaping @Sendable (Int) -> RegistrationRequest) {
        self.client = client
        self.gatewayURL = gatewayURL.hasSuffix("/") ? String(gatewayURL.dropLast()) : gatewayURL
        self.registration = registration
        self.address = address
        self.interval = interval
        self.logger = logger
        self.credential = credential
        self.status = status
    }

    /// The internal credential header for a call to the gateway's registry, when a secret is configured.
    func signed(_ method: String, _ path: String) -> [(String, String)] {
        credential.map { [(InternalCredential.headerName, $0.token(method: method, target: path))] } ?? []
    }

    public func run() async throws {
        let port = await address.port()
        let request = registration(port)
        let logger = {
            var logger = self.logger
            logger[metadataKey: "instance_id"] = .string(request.instanceID)
            return logger
        }()
        await cancelWhenGracefulShutdownIgnoringErrors {
            var registered = false
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    if !registered {
                        try await self.register(request)
                        registered = true
                        self.status.renewed()
                        backoff = .milliseconds(100)
                        logger.info("registered with gateway", metadata: ["url": .string(request.url), "gateway": .string(self.gatewayURL)])
                    } else {
                        registered = try await self.heartbeat(request.instanceID)
                        if registered { self.status.renewed() }
                        if !registered { logger.notice("gateway no longer knows this instance; registering again") }
                    }
                } catch {
                    if registered { logger.warning("heartbeat failed", metadata: ["error": .string("\(error)")]) }
                    else { logger.debug("registration failed; retrying", metadata: ["error": .string("\(error)")]) }
                }
                let pause = registered ? self.interval : backoff
                if !registered { backoff = min(backoff * 2, .seconds(2)) }
                try? await Task.sleep(for: pause)
            }
        }
        do {
            let path = "/api/v1/gateway/instances/\(request.instanceID)"
            let reply = try await client.send(.DELETE, gatewayURL + path, headers: signed("DELETE", path), timeout: .seconds(2))
            logger.info("deregistered from gateway", metadata: ["status": .stringConvertible(reply.status)])
        } catch {
            logger.warning("deregistration failed", metadata: ["error": .string("\(error)")])
        }
    }

    func register(_ request: RegistrationRequest) async throws {
        let path = "/api/v1/gateway/register"
        let reply = try await client.send(.POST, gatewayURL + path, json: request, headers: signed("POST", path), timeout: .seconds(2))
        guard (200..<300).contains(reply.status) else {
            throw RegistrationError(status: reply.status, body: String(buffer: reply.body))
        }
    }

    /// `false` when the gateway answered 404: it does not know the instance any more.
    func heartbeat(_ instanceID: String) async throws -> Bool {
        let path = "/api/v1/gateway/instances/\(instanceID)/heartbeat"
        let reply = try await client.send(.PUT, gatewayURL + path, headers: signed("PUT", path), timeout: .seconds(2))
        if reply.status == 404 { return false }
        guard (200..<300).contains(reply.status) else {
            throw RegistrationError(status: reply.status, body: String(buffer: reply.body))
        }
        return true
    }
}

struct RegistrationError: Error, CustomStringConvertible {
    let status: Int
    let body: String
    var description: String { "gateway answered \(status): \(body.prefix(200))" }
}

/// Runs `body` until it returns or graceful shutdown begins (then it is cancelled).
func cancelWhenGracefulShutdownIgnoringErrors(_ body: @escaping @Sendable () async -> Void) async {
    _ = await cancelWhenGracefulShutdown {
        await body()
    }
}
