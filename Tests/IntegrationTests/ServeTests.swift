import BourseTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `bourse serve <service>` as its own process: binds, serves, and shuts down cleanly on SIGTERM and SIGINT.
@Suite struct ServeTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func serveStopsCleanlyOnSignalClosingItsDatabase(signal: Int32) async throws {
        let dataDir = TestSupport.temporaryDirectory()
        let serve = try BourseProcess.start(["serve", "data", "--port", "0", "--data-dir", dataDir])
        let deadline = ContinuousClock.now + .seconds(30)
        while !serve.log.contains("\"msg\":\"listening\""), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(serve.log.contains("\"msg\":\"listening\""), "serve did not start:\n\(serve.log)")
        #expect(FileManager.default.fileExists(atPath: "\(dataDir)/data.sqlite"))
        serve.signal(signal)
        let status = await serve.waitForExit(timeout: .seconds(20))
        if status == nil { serve.signal(SIGKILL) }
        #expect(status == 0, "serve did not exit 0:\n\(serve.log)")
        #expect(serve.log.contains("\"msg\":\"stopped\""))
    }

    @Test func migrateStatusUpAndDownWorkFromTheCommandLine() throws {
        let dataDir = TestSupport.temporaryDirectory()
        let bourse = BourseProcess.binary.path
        var (status, output) = try BourseProcess.run(bourse, ["migrate", "status", "--service", "data", "--data-dir", dataDir], input: "")
        #expect(status == 0)
        #expect(output.contains("pending"))
        // The versions `status` lists, in order; `up` applies them all, `down` reverts only the newest by default.
        let versions = output.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber }) }
        try #require(versions.count >= 2, "\(output)")
        (status, output) = try BourseProcess.run(bourse, ["migrate", "up", "--service", "data", "--data-dir", dataDir], input: "")
        #expect(status == 0)
        #expect(output.contains("applied " + versions.map(String.init).joined(separator: ", ")), "\(output)")
        (status, output) = try BourseProcess.run(bourse, ["migrate", "down", "--service", "data", "--data-dir", dataDir], input: "")
        #expect(status == 0)
        #expect(output.contains("reverted \(versions.last!)"), "\(output)")
        (status, output) = try BourseProcess.run(bourse, ["migrate", "up", "--service", "nope", "--data-dir", dataDir], input: "")
        #expect(status != 0)
        #expect(output.contains("unknown service"))
    }
}
