import AsyncHTTPClient
import BourseTesting
import Foundation
import NIOCore
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two `data` instances behind the real gateway; one is SIGKILLed while a client keeps sending requests.
@Suite(.serialized) struct FailoverTests {
    final class Counters: Sendable {
        let next = Atomic<Int>(0)
        let completed = Atomic<Int>(0)
        let succeeded = Atomic<Int>(0)
        let killed = Atomic<Bool>(false)
    }

    struct Instance: Decodable {
        let instance_id: String
        let url: String
        let health: String
    }
    struct Listing: Decodable {
        struct Service: Decodable {
            let name: String
            let instances: [Instance]
        }
        let services: [Service]
    }

    func listing(_ gateway: String, token: String) async -> [Instance] {
        var request = HTTPClientRequest(url: "\(gateway)/api/v1/gateway/services")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)),
              let body = try? await response.body.collect(upTo: 1 << 20),
              let decoded = try? JSONDecoder().decode(Listing.self, from: Data(buffer: body)) else { return [] }
        return decoded.services.first { $0.name == "data" }?.instances ?? []
    }

    @Test func killingOneOfTwoInstancesUnderLoadLosesUnderOnePercent() async throws {
        let port = BourseProcess.freePort()
        let gateway = "http://127.0.0.1:\(port)"
        let dataDir = TestSupport.temporaryDirectory()
        let up = try BourseProcess.start(["up", "--data-dir", dataDir, "--port", String(port), "--scale", "data=2"])
        defer { up.signal(SIGTERM) }
        let healthy = await TestSupport.eventually(.seconds(60)) { up.log.contains("services healthy") }
        try #require(healthy, "bourse up did not become healthy:\n\(up.log)")
        let token = try await PlatformSession(gateway: gateway, dataDir: dataDir).loginAsAdmin().access
        let before = await listing(gateway, token: token)
        try #require(before.count == 2 && before.allSatisfy { $0.health == "up" }, "\(before)")
        let victim = before[0]
        let victimPID = try #require(Int32(victim.instance_id.split(separator: "-").last ?? ""))

        // 2,000 GETs, 8 at a time; the victim is SIGKILLed after the first 400.
        let total = 2000
        let counters = Counters()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while counters.next.add(1, ordering: .relaxed).oldValue < total {
                        var request = HTTPClientRequest(url: "\(gateway)/api/v1/data/instruments?limit=5")
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)),
                           (try? await response.body.collect(upTo: 1 << 20)) != nil, response.status == .ok {
                            counters.succeeded.add(1, ordering: .relaxed)
                        }
                        if counters.completed.add(1, ordering: .relaxed).newValue >= 400, !counters.killed.exchange(true, ordering: .relaxed) {
                            kill(victimPID, SIGKILL)
                        }
                    }
                }
            }
        }
        let ok = counters.succeeded.load(ordering: .relaxed)
        print("failover: \(ok) of \(total) requests succeeded while \(victim.instance_id) was SIGKILLed")
        #expect(ok >= total * 99 / 100, "only \(ok) of \(total) requests succeeded")

        // The dead instance is out of rotation at once (ejected), and gone from the listing after its lease.
        let after = await listing(gateway, token: token)
        let dead = after.first { $0.instance_id == victim.instance_id }
        #expect(dead == nil || dead?.health != "up", "the killed instance still looks healthy: \(after)")
        let removed = await TestSupport.eventually(.seconds(25)) { await listing(gateway, token: token).allSatisfy { $0.instance_id != victim.instance_id } }
        #expect(removed, "the killed instance was not removed after its TTL")

        // The supervisor's replacement registers and gets traffic.
        let replaced = await TestSupport.eventually(.seconds(30)) {
            let now = await listing(gateway, token: token)
            return now.count == 2 && now.allSatisfy { $0.health == "up" }
        }
        let current = await listing(gateway, token: token)
        #expect(replaced, "no replacement instance: \(current)\n\(up.log)")
        let replacement = try #require(await listing(gateway, token: token).first { $0.instance_id != before[1].instance_id })
        for _ in 0..<20 {
            var request = HTTPClientRequest(url: "\(gateway)/api/v1/data/instruments")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            _ = try? await HTTPClient.shared.execute(request, timeout: .seconds(5))
        }
        let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(replacement.url)/metrics"), timeout: .seconds(5))
        let text = String(buffer: try await metrics.body.collect(upTo: 4 << 20))
        #expect(text.contains(#"route="/api/v1/data/instruments",status="2xx""#), "the replacement received no proxied request")
    }
}
