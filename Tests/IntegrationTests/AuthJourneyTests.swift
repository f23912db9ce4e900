import BourseTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The auth issue's "done when", with the real binary: a fresh `bourse up` says where the first admin's password
/// is; a user logs in, calls a protected route, refreshes and logs out; and no password, token or key appears
/// in any process's log.
@Suite(.serialized) struct AuthJourneyTests {
    @Test func aFreshPlatformLetsTheFirstAdminLogInRefreshAndLogOutWithoutSecretsInTheLogs() async throws {
        let port = BourseProcess.freePort()
        let dataDir = TestSupport.temporaryDirectory()
        let up = try BourseProcess.start(["up", "--data-dir", dataDir, "--port", String(port), "--log-level", "debug"])
        defer { up.signal(SIGTERM) }
        let healthy = await TestSupport.eventually(.seconds(60)) { up.log.contains("services healthy") }
        try #require(healthy, "bourse up did not report healthy:\n\(up.log)")
        let session = PlatformSession(gateway: "http://127.0.0.1:\(port)", dataDir: dataDir)
        #expect(up.log.contains(session.passwordFile))

        // The password file is the owner's alone, and its content is not in the supervisor's output.
        let attributes = try FileManager.default.attributesOfItem(atPath: session.passwordFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let password = try session.adminPassword()
        #expect(password.count >= 20)
        #expect(!up.log.contains(password))

        let (access, refresh) = try await session.loginAsAdmin()
        #expect(try await session.call(.GET, "/api/v1/data/instruments").status == 401)
        #expect(try await session.call(.GET, "/api/v1/data/instruments", token: access).status == 200)
        let key = try await session.call(.POST, "/api/v1/auth/api-keys", token: access, json: ["name": "ci", "scopes": ["data:read"]])
        #expect(key.status == 201)
        let secret = try #require(key.json()["key"] as? String)
        let refreshed = try await session.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": refresh])
        #expect(refreshed.status == 200)
        let newAccess = try #require(refreshed.json()["access_token"] as? String)
        let newRefresh = try #require(refreshed.json()["refresh_token"] as? String)
        #expect(try await session.call(.GET, "/api/v1/auth/me", token: newAccess).status == 200)
        #expect(try await session.call(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": "not-the-password-42"]).status == 401)
        #expect(try await session.call(.POST, "/api/v1/auth/logout", token: newAccess).status == 204)
        #expect(try await session.call(.GET, "/api/v1/auth/me", token: newAccess).status == 401)

        // Every line every process logged (debug level), and the supervisor's own output.
        let logDir = dataDir + "/logs"
        var logs = up.log
        for file in try FileManager.default.contentsOfDirectory(atPath: logDir) {
            logs += (try? String(contentsOfFile: logDir + "/" + file, encoding: .utf8)) ?? ""
        }
        #expect(logs.contains("login"), "the logs were not captured")
        for (name, value) in [("password", password), ("access token", access), ("refreshed access token", newAccess),
                              ("refresh token", refresh), ("new refresh token", newRefresh), ("API key", secret),
                              ("wrong password", "not-the-password-42")] {
            #expect(!logs.contains(value), "the \(name) appears in the logs")
        }
    }

    @Test func anAdminCreatedFromTheCommandLineReplacesTheGeneratedOne() async throws {
        let dataDir = TestSupport.temporaryDirectory()
        let binary = BourseProcess.binary.path
        let (weak, weakOutput) = try BourseProcess.run(binary, ["users", "create-admin", "--email", "ops@example.com", "--data-dir", dataDir],
                                                       input: "password1\n")
        #expect(weak == 1)
        #expect(weakOutput.contains("the password must be at least 10 characters long"))
        let (status, output) = try BourseProcess.run(binary, ["users", "create-admin", "--email", "ops@example.com", "--username", "ops",
                                                              "--data-dir", dataDir], input: "grey ocean lantern 77\n")
        #expect(status == 0, "\(output)")
        #expect(!output.contains("grey ocean lantern 77"))

        let port = BourseProcess.freePort()
        let up = try BourseProcess.start(["up", "--data-dir", dataDir, "--port", String(port)])
        defer { up.signal(SIGTERM) }
        let healthy = await TestSupport.eventually(.seconds(60)) { up.log.contains("services healthy") }
        try #require(healthy, "bourse up did not report healthy:\n\(up.log)")
        let session = PlatformSession(gateway: "http://127.0.0.1:\(port)", dataDir: dataDir)
        // The platform already has an admin: no generated password, no announcement.
        #expect(!FileManager.default.fileExists(atPath: session.passwordFile))
        #expect(!up.log.contains("initial-admin-password"))
        let login = try await session.call(.POST, "/api/v1/auth/login", json: ["username": "ops@example.com", "password": "grey ocean lantern 77"])
        #expect(login.status == 200)
        let token = try #require(login.json()["access_token"] as? String)
        #expect(try await session.call(.GET, "/api/v1/auth/users", token: token).status == 200)
    }
}
