import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import BourseTesting
#if canImport(Glibc)
import Glibc
#endif

/// Talks to a running `bourse up` through its gateway as a user would: logs in as the first admin with the
/// password the auth service wrote to `<data-dir>/initial-admin-password`.
struct PlatformSession {
    let gateway: String
    let dataDir: String

    var passwordFile: String { dataDir + "/initial-admin-password" }

    func adminPassword() throws -> String {
        try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Reply {
        let status: Int
        let body: String
        func json() -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        }
    }

    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, json: [String: Any]? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: gateway + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return Reply(status: Int(response.status.code), body: String(buffer: try await response.body.collect(upTo: 8 << 20)))
    }

    /// A raw body (JSON by default) with a bearer token and a long deadline, for calls that compute.
    func send(_ method: HTTPMethod, _ path: String, token: String, body: String? = nil, contentType: String = "application/json",
              accept: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: gateway + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "X-Bourse-Timeout-Ms", value: "120000")
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(130))
        return Reply(status: Int(response.status.code), body: String(buffer: try await response.body.collect(upTo: 64 << 20)))
    }

    /// The admin's access and refresh tokens.
    func loginAsAdmin() async throws -> (access: String, refresh: String) {
        let reply = try await call(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": try adminPassword()])
        let body = reply.json()
        guard reply.status == 200, let access = body["access_token"] as? String, let refresh = body["refresh_token"] as? String else {
            throw LoginFailed(description: "login answered \(reply.status): \(reply.body)")
        }
        return (access, refresh)
    }

    struct LoginFailed: Error, CustomStringConvertible { let description: String }
}

/// A running `bourse up` on a free port with a fresh data directory, healthy, and its first admin signed in.
struct RunningPlatform {
    let process: BourseProcess
    let session: PlatformSession
    let token: String
    var gateway: String { session.gateway }

    /// Starts `bourse up` with `arguments` added (e.g. `--scale data=2`) and `environment` added to this process's.
    static func start(_ arguments: [String] = [], environment: [String: String] = [:], healthyWithin: Duration = .seconds(60)) async throws -> RunningPlatform {
        let port = BourseProcess.freePort()
        let dataDir = TestSupport.temporaryDirectory()
        let up = try BourseProcess.start(["up", "--data-dir", dataDir, "--port", String(port)] + arguments, environment: environment)
        let healthy = await TestSupport.eventually(healthyWithin) { up.log.contains("services healthy") }
        guard healthy else {
            up.signal(SIGTERM)
            throw PlatformSession.LoginFailed(description: "bourse up did not report healthy:\n\(up.log)")
        }
        let session = PlatformSession(gateway: "http://127.0.0.1:\(port)", dataDir: dataDir)
        do {
            return RunningPlatform(process: up, session: session, token: try await session.loginAsAdmin().access)
        } catch {
            up.signal(SIGTERM)
            throw error
        }
    }

    func stop() { process.signal(SIGTERM) }
}
