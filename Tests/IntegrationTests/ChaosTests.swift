import AsyncHTTPClient
import BourseTesting
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two instances each of `auth`, `data` and `etl` behind the real gateway; one instance of each is SIGKILLed in
/// turn while reads of all three and logins keep running.
@Suite(.serialized) struct ChaosTests {
    final class Tally: Sendable {
        let reads = Atomic<Int>(0)
        let readFailures = Atomic<Int>(0)
        let logins = Atomic<Int>(0)
        let loginFailures = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        /// Reads and failed reads per service (auth, data, etl).
        let perService = Mutex<[String: (reads: Int, failed: Int)]>([:])
        let failures = Mutex<[String]>([])
    }

    struct Listing: Decodable {
        struct Instance: Decodable {
            let instance_id: String
            let health: String
        }
        struct Service: Decodable {
            let name: String
            let instances: [Instance]
        }
        let services: [Service]
    }

    static func call(_ method: HTTPMethod, _ url: String, token: String?, body: String? = nil) async -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)),
              (try? await response.body.collect(upTo: 1 << 20)) != nil else { return 0 }
        return Int(response.status.code)
    }

    static func listing(_ gateway: String, token: String) async -> [String: [Listing.Instance]] {
        var request = HTTPClientRequest(url: "\(gateway)/api/v1/gateway/services")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)),
              let body = try? await response.body.collect(upTo: 1 << 20),
              let decoded = try? JSONDecoder().decode(Listing.self, from: Data(buffer: body)) else { return [:] }
        return Dictionary(uniqueKeysWithValues: decoded.services.map { ($0.name, $0.instances) })
    }

    @Test func killingOneInstanceOfEachServiceInTurnLosesAlmostNoReadAndNoLogin() async throws {
        // No quotas: the load is the point of the test.
        let platform = try await RunningPlatform.start(["--scale", "auth=2", "--scale", "data=2", "--scale", "etl=2"],
                                                       environment: ["BOURSE_GATEWAY_RATE_LIMITS": ""], healthyWithin: .seconds(90))
        defer { platform.stop() }
        let (gateway, token) = (platform.gateway, platform.token)
        let password = try platform.session.adminPassword()
        // Every instance registered and up (registration can trail the supervisor's health check by a heartbeat).
        var before: [String: [Listing.Instance]] = [:]
        let registered = await TestSupport.eventually(.seconds(30)) {
            before = await Self.listing(gateway, token: token)
            return ["auth", "data", "etl"].allSatisfy { s in before[s]?.count == 2 && before[s]!.allSatisfy { $0.health == "up" } }
        }
        try #require(registered, "\(before)")

        let tally = Tally()
        let reads = ["\(gateway)/api/v1/data/instruments?limit=5", "\(gateway)/api/v1/auth/me", "\(gateway)/api/v1/etl/status/no-such-job"]
        let expected = [200, 200, 404]
        let services = ["data", "auth", "etl"]
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var n = worker
                        while !tally.stop.load(ordering: .relaxed) {
                            n += 1
                            if n % 20 == 0 {
                                // A login is not idempotent, so the gateway does not retry it; a client retries once.
                                let body = #"{"username":"admin","password":"\#(password)"}"#
                                var status = await Self.call(.POST, "\(gateway)/api/v1/auth/login", token: nil, body: body)
                                if status != 200 {
                                    try? await Task.sleep(for: .milliseconds(200))
                                    status = await Self.call(.POST, "\(gateway)/api/v1/auth/login", token: nil, body: body)
                                }
                                tally.logins.add(1, ordering: .relaxed)
                                if status != 200 {
                                    tally.loginFailures.add(1, ordering: .relaxed)
                                    tally.failures.withLock { $0.append("login \(status)") }
                                }
                                continue
                            }
                            let k = n % reads.count
                            let status = await Self.call(.GET, reads[k], token: token)
                            tally.reads.add(1, ordering: .relaxed)
                            tally.perService.withLock { $0[services[k], default: (0, 0)].reads += 1; if status != expected[k] { $0[services[k]]!.failed += 1 } }
                            if status != expected[k] {
                                tally.readFailures.add(1, ordering: .relaxed)
                                tally.failures.withLock { $0.append("\(reads[k]) \(status)") }
                            }
                        }
                    }
                }
            }
        }
        try await Task.sleep(for: .seconds(3))
        for service in ["auth", "data", "etl"] {
            let victim = before[service]![0].instance_id
            kill(try #require(Int32(victim.split(separator: "-").last ?? "")), SIGKILL)
            try await Task.sleep(for: .seconds(4))
        }
        tally.stop.store(true, ordering: .relaxed)
        await load.value

        let reads_ = tally.reads.load(ordering: .relaxed), readFailures = tally.readFailures.load(ordering: .relaxed)
        let logins = tally.logins.load(ordering: .relaxed), loginFailures = tally.loginFailures.load(ordering: .relaxed)
        for (service, count) in tally.perService.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            print("chaos: \(service) \(count.reads - count.failed) of \(count.reads) reads succeeded")
        }
        print("chaos: \(reads_ - readFailures) of \(reads_) reads and \(logins - loginFailures) of \(logins) logins succeeded while one instance each of auth, data and etl was SIGKILLed")
        #expect(reads_ > 500)
        #expect(readFailures * 1000 <= reads_, "\(readFailures) of \(reads_) reads failed: \(tally.failures.withLock { $0.prefix(20) })")
        #expect(loginFailures == 0, "\(tally.failures.withLock { $0.prefix(20) })")

        // Each replacement registers: two live instances of every service again.
        let replaced = await TestSupport.eventually(.seconds(40)) {
            let now = await Self.listing(gateway, token: token)
            return ["auth", "data", "etl"].allSatisfy { s in (now[s] ?? []).filter { $0.health == "up" }.count == 2 }
        }
        let current = await Self.listing(gateway, token: token)
        #expect(replaced, "\(current)")
    }
}
