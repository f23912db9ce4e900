import AsyncHTTPClient
import BourseTesting
import Foundation
import NIOCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `bourse up` as a user runs it: the real binary, real child processes, real sockets.
@Suite(.serialized) struct BourseUpTests {
    struct Instance: Decodable {
        let instance_id: String
        let url: String
        let health: String
        let registered_at: String
    }
    struct Service: Decodable {
        let name: String
        let instances: [Instance]
    }
    struct Listing: Decodable {
        let services: [Service]
    }

    func get(_ url: String, token: String? = nil) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    func instances(_ gateway: String, token: String) async -> [String: Instance] {
        guard let (status, body) = try? await get("\(gateway)/api/v1/gateway/services", token: token), status == 200,
              let listing = try? JSONDecoder().decode(Listing.self, from: Data(body.utf8)) else { return [:] }
        var out: [String: Instance] = [:]
        for service in listing.services { for i in service.instances { out[i.instance_id] = i } }
        return out
    }

    /// PIDs from the table `bourse up` prints: instance id → pid.
    func pids(in log: String) -> [String: Int32] {
        var out: [String: Int32] = [:]
        for line in log.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            if cells.count >= 5, let pid = Int32(cells[2]), cells[3].hasPrefix("http") { out[String(cells[1])] = pid }
        }
        return out
    }

    @Test func upBecomesHealthyRestartsAKilledChildAndStopsCleanlyOnSIGTERM() async throws {
        let port = BourseProcess.freePort()
        let dataDir = TestSupport.temporaryDirectory()
        let gateway = "http://127.0.0.1:\(port)"
        let up = try BourseProcess.start(["up", "--data-dir", dataDir, "--port", String(port)])
        var stopped = false
        defer { if !stopped { up.signal(SIGKILL) } }

        // 1. Healthy within 60 s, with the table printed.
        let healthy = await TestSupport.eventually(.seconds(60)) { up.log.contains("services healthy") }
        try #require(healthy, "bourse up did not report healthy:\n\(up.log)")
        let table = pids(in: up.log)
        let gatewayPID = try #require(table["gateway-1"])
        let dataPID = try #require(table.first { $0.key.hasPrefix("data-") }?.value)
        #expect(table["data-\(dataPID)"] == dataPID, "a data instance registers as data-<pid>")
        let session = PlatformSession(gateway: gateway, dataDir: dataDir)
        #expect(up.log.contains(session.passwordFile), "bourse up does not say where the initial admin password is:\n\(up.log)")
        let token = try await session.loginAsAdmin().access

        // 2. Every service answers /health/detailed and /metrics (Prometheus text that promtool accepts).
        let registered = await instances(gateway, token: token)
        let dataURL = try #require(registered["data-\(dataPID)"]?.url)
        for base in [gateway, dataURL] {
            let (status, body) = try await get("\(base)/health/detailed")
            #expect(status == 200, "\(base)/health/detailed: \(body)")
            let (metricsStatus, metrics) = try await get("\(base)/metrics")
            #expect(metricsStatus == 200)
            #expect(metrics.contains("# TYPE bourse_http_requests_total counter"))
            if let promtool = BourseProcess.which("promtool") {
                let (code, out) = try BourseProcess.run(promtool, ["check", "metrics"], input: metrics)
                #expect(code == 0, "promtool check metrics on \(base): \(out)")
            } else if TestSupport.isCI {
                Issue.record("promtool is not installed; .ci/run installs the prometheus package")
            }
        }
        // A real route through the gateway; the same route straight at the service is refused (no internal credential).
        let (anonymousStatus, _) = try await get("\(gateway)/api/v1/data/instruments")
        #expect(anonymousStatus == 401)
        let (listStatus, _) = try await get("\(gateway)/api/v1/data/instruments", token: token)
        #expect(listStatus == 200)
        let (directStatus, _) = try await get("\(dataURL)/api/v1/data/instruments", token: token)
        #expect(directStatus == 401)

        // 3. A SIGKILLed child is restarted and registers again (a new process on a new port).
        let before = try #require(registered["data-\(dataPID)"])
        kill(dataPID, SIGKILL)
        let reRegistered = await TestSupport.eventually(.seconds(30)) {
            await instances(gateway, token: token).values.contains { $0.instance_id.hasPrefix("data-") && $0.url != before.url && $0.health == "up" }
        }
        #expect(reRegistered, "data-1 did not come back:\n\(up.log)")
        #expect(up.log.contains("restarted data-1"))
        let (afterStatus, _) = try await get("\(gateway)/api/v1/data/instruments", token: token)
        #expect(afterStatus == 200)
        let childPIDs = try childrenOf(up.process.processIdentifier)
        #expect(childPIDs.contains(gatewayPID))
        #expect(!childPIDs.contains(dataPID))

        // 4. SIGTERM brings everything down; the supervisor exits 0 and leaves no process behind.
        up.signal(SIGTERM)
        let status = await up.waitForExit(timeout: .seconds(30))
        stopped = status != nil
        #expect(status == 0, "bourse up did not exit 0:\n\(up.log)")
        for pid in childPIDs {
            #expect(!BourseProcess.isAlive(pid), "child \(pid) outlived the supervisor")
        }
        let logs = (try? String(contentsOfFile: "\(dataDir)/logs/data-1.log", encoding: .utf8)) ?? ""
        #expect(logs.contains("deregistered from gateway"))
    }

    @Test func childrenExitWhenTheSupervisorIsKilled() async throws {
        let port = BourseProcess.freePort()
        let up = try BourseProcess.start(["up", "--data-dir", TestSupport.temporaryDirectory(), "--port", String(port)])
        let healthy = await TestSupport.eventually(.seconds(60)) { up.log.contains("services healthy") }
        try #require(healthy, "bourse up did not report healthy:\n\(up.log)")
        let children = try childrenOf(up.process.processIdentifier)
        // One child per row of the table (gateway, auth, data, …).
        #expect(children.count == pids(in: up.log).count && children.count >= 3, "\(children) vs\n\(up.log)")
        up.signal(SIGKILL)
        _ = await up.waitForExit(timeout: .seconds(5))
        let gone = await TestSupport.eventually(.seconds(15)) { children.allSatisfy { !BourseProcess.isAlive($0) } }
        #expect(gone, "children outlived a SIGKILLed supervisor")
    }

    @Test func invalidConfigurationStopsServeWithAMessageNamingTheKey() throws {
        let (status, output) = try BourseProcess.run(BourseProcess.binary.path, ["serve", "data", "--set", "http.max_body_bytes=lots"], input: "")
        #expect(status == 2)
        #expect(output.contains("http.max_body_bytes"))
        #expect(output.contains("lots"))
    }

    /// Direct children of `pid`, from /proc.
    func childrenOf(_ pid: Int32) throws -> [Int32] {
        let entries = try FileManager.default.contentsOfDirectory(atPath: "/proc")
        return entries.compactMap { Int32($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid && BourseProcess.isAlive(child)
        }
    }
}
