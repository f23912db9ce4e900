import Foundation
import Logging
import NIOFoundationCompat
import ServiceKit
import ServiceLifecycle

/// Follows the auth service's revocation feed, so a logout, a revoked key or a disabled user is refused by this
/// gateway within one poll interval (a logout that passes through this gateway takes effect at once). Also
/// keeps the JWKS fresh (every five minutes), so rotations are picked up before the first token of a new key.
struct RevocationFollower: Service {
    let authenticator: GatewayAuthenticator
    let interval: Duration
    let maxTokenLifetime: Double
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastKeys = ContinuousClock.now - .seconds(3600)
            while !Task.isCancelled {
                // Until the first key set arrives (auth starts after the gateway) every poll tries; then every 5 minutes.
                let noKeys = authenticator.verifier.keyIDs.isEmpty
                if noKeys || ContinuousClock.now - lastKeys > .seconds(300), await authenticator.refreshKeys(force: noKeys) { lastKeys = .now }
                await poll()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func poll() async {
        let list = authenticator.verifier.revocations
        do {
            var more = true
            while more {
                let reply = try await authenticator.peers.send("auth", .GET, "/api/v1/auth/revocations?after=\(list.cursor)",
                                                               deadline: .now + .seconds(3))
                guard reply.status == 200 else { return }
                let page = try JSONDecoder().decode(Page.self, from: Data(buffer: reply.body))
                list.add(page.entries, cursor: page.cursor)
                if page.entries.contains(where: { $0.kind == .subject }) { authenticator.forgetAPIKeys() }
                more = page.entries.count >= 1000
            }
            list.prune(now: Date().timeIntervalSince1970, maxTokenLifetime: maxTokenLifetime)
        } catch {
            // No auth instance yet (start-up) or a blip: the next poll catches up from the same cursor.
            logger.debug("revocation feed not read", metadata: ["error": .string("\(error)")])
        }
    }

    struct Page: Decodable {
        let cursor: Int64
        let entries: [RevocationList.Entry]
    }
}
