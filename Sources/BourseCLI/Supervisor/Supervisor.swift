import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import ServiceKit
import Synchronization
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// `bourse up`: starts every service as a child process of this binary, waits until all are healthy,
/// prints the table, restarts a child that dies (exponential backoff; gives up loudly after repeated fast
/// crashes), and on SIGINT/SIGTERM stops every child and returns.
final class Supervisor: Sendable {
    enum Event: Sendable {
        case exited(instanceID: String, pid: Int32, status: Int32, signaled: Bool)
        case restart(instanceID: String)
        case signal(String)
    }

    struct Running: Sendable {
        var pid: Int32
        var startedAt: ContinuousClock.Instant
        var crashes: [ContinuousClock.Instant]
    }

    let specs: [ChildSpec]
    let executable: String
    let gatewayURL: String
    let client: ServiceClient
    let startupTimeout: Duration
    /// Signs the supervisor's own reads of the registry (the listing is not public).
    let credential: InternalCredential
    /// Where the auth service writes the first admin's password, announced once everything is healthy.
    let dataDir: String
    /// Environment of every child: this process's, plus the platform's internal secret (passed in the
    /// environment rather than on the command line, where `ps` would show it).
    let environment: [String: String]
    private let running = Mutex<[String: Running]>([:])
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    /// Crashes within `crashWindow` beyond `maxCrashes` make the supervisor give up.
    let maxCrashes = 5
    let crashWindow: Duration = .seconds(60)

    init(specs: [ChildSpec], executable: String, gatewayURL: String, client: ServiceClient, startupTimeout: Duration,
         internalSecret: String, dataDir: String) {
        self.credential = InternalCredential(secret: internalSecret)
        self.dataDir = dataDir
        var environment = ProcessInfo.processInfo.environment
        environment[ConfigKey.internalSecret.environmentVariable] = internalSecret
        self.environment = environment
        self.specs = specs
        self.executable = executable
        self.gatewayURL = gatewayURL
        self.client = client
        self.startupTimeout = startupTimeout
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Runs until a signal (returns 0) or a give-up (returns 1).
    func run() async throws -> Int32 {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await signal in signals {
                    self.continuation.yield(.signal("\(signal)"))
                }
            }
            defer { group.cancelAll() }
            let start = ContinuousClock.now
            for spec in specs {
                do { try launch(spec) } catch {
                    Self.say("bourse up: cannot start \(spec.instanceID): \(error)")
                    await stopAll()
                    return 1
                }
            }
            group.addTask {
                await self.waitUntilHealthy(start: start)
            }
            for await event in events {
                switch event {
                case .signal(let name):
                    Self.say("bourse up: \(name) received; stopping every service")
                    await stopAll()
                    Self.say("bourse up: stopped")
                    return 0
                case .exited(let id, let pid, let status, let signaled):
                    let how = signaled ? "killed by signal \(status)" : "exited with status \(status)"
                    guard let spec = specs.first(where: { $0.instanceID == id }) else { continue }
                    let crashes = recordCrash(id, pid: pid)
                    guard let crashes else { continue }  // an old pid
                    if crashes.count > maxCrashes {
                        Self.say("bourse up: \(id) \(how) and crashed \(crashes.count) times within \(Int(crashWindow.inSeconds)) s; giving up. See \(spec.logFile.path)")
                        await stopAll()
                        return 1
                    }
                    let delay = Duration.milliseconds(250 * (1 << min(crashes.count - 1, 7)))
                    Self.say("bourse up: \(id) (pid \(pid)) \(how); restarting in \(delay.inSeconds) s. Log: \(spec.logFile.path)")
                    let continuation = self.continuation
                    group.addTask {
                        try? await Task.sleep(for: delay)
                        continuation.yield(.restart(instanceID: id))
                    }
                case .restart(let id):
                    guard let spec = specs.first(where: { $0.instanceID == id }) else { continue }
                    do {
                        let pid = try launch(spec)
                        Self.say("bourse up: restarted \(id) (pid \(pid))")
                    } catch {
                        Self.say("bourse up: cannot restart \(id): \(error); stopping")
                        await stopAll()
                        return 1
                    }
                }
            }
            return 0
        }
    }

    /// Starts one child; its output goes to its log file.
    @discardableResult
    func launch(_ spec: ChildSpec) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = spec.arguments
        process.environment = environment
        if !FileManager.default.fileExists(atPath: spec.logFile.path) {
            _ = FileManager.default.createFile(atPath: spec.logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: spec.logFile)
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let continuation = self.continuation
        let id = spec.instanceID
        process.terminationHandler = { p in
            continuation.yield(.exited(instanceID: id, pid: p.processIdentifier, status: p.terminationStatus,
                                       signaled: p.terminationReason == .uncaughtSignal))
        }
        try process.run()
        try? log.close()
        let pid = process.processIdentifier
        running.withLock { table in
            let crashes = table[id]?.crashes ?? []
            table[id] = Running(pid: pid, startedAt: .now, crashes: crashes)
        }
        return pid
    }

    /// Records an unexpected exit; `nil` if `pid` is not the current process of that instance.
    private func recordCrash(_ id: String, pid: Int32) -> [ContinuousClock.Instant]? {
        running.withLock { table -> [ContinuousClock.Instant]? in
            guard var entry = table[id], entry.pid == pid else { return nil }
            let now = ContinuousClock.now
            entry.crashes = entry.crashes.filter { now - $0 < crashWindow } + [now]
            entry.pid = 0
            table[id] = entry
            return entry.crashes
        }
    }

    func pids() -> [String: Int32] {
        running.withLock { $0.compactMapValues { $0.pid > 0 ? $0.pid : nil } }
    }

    /// SIGTERM to every child (services first, so they can deregister, then the gateway), SIGKILL to any
    /// still alive after the grace period; waits for all.
    func stopAll(grace: Duration = .seconds(15)) async {
        let children = pids()
        running.withLock { table in for key in table.keys { table[key]?.pid = 0 } }
        for (id, pid) in children where id != "gateway-1" { kill(pid, SIGTERM) }
        let servicesDeadline = ContinuousClock.now + grace
        while ContinuousClock.now < servicesDeadline,
              children.contains(where: { $0.key != "gateway-1" && Self.isAlive($0.value) }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if let gateway = children["gateway-1"] { kill(gateway, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, children.values.contains(where: { Self.isAlive($0) }) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for (id, pid) in children where Self.isAlive(pid) {
            Self.say("bourse up: \(id) did not stop within \(Int(grace.inSeconds)) s; killing it")
            kill(pid, SIGKILL)
        }
        while children.values.contains(where: { Self.isAlive($0) }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Alive and not a zombie. Foundation reaps children itself, so `kill(pid, 0)` is enough once reaped.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    // MARK: - Health

    struct Row: Sendable {
        let service: String
        let instanceID: String
        let pid: Int32
        let url: String
        let health: String
    }

    /// Polls until the gateway and every instance answer `/health/detailed` with 200, then prints the table.
    func waitUntilHealthy(start: ContinuousClock.Instant) async {
        while !Task.isCancelled {
            if let rows = await healthRows(), rows.allSatisfy({ $0.health == "pass" }) {
                let elapsed = ContinuousClock.now - start
                Self.say(String(format: "bourse up: all %d services healthy in %.1f s", rows.count, elapsed.inSeconds))
                Self.printTable(rows)
                Self.say("\nGateway: \(gatewayURL)  (Ctrl-C stops everything; logs under the data dir's logs/)")
                let passwordFile = URL(fileURLWithPath: dataDir).appendingPathComponent("initial-admin-password").path
                if FileManager.default.fileExists(atPath: passwordFile) {
                    Self.say("""
                        First start: the user `admin` was created; its password is in \(passwordFile) (mode 600).
                        Log in:  curl -s -XPOST \(gatewayURL)/api/v1/auth/login -H 'content-type: application/json' \\
                                   -d "{\\"username\\":\\"admin\\",\\"password\\":\\"$(cat \(passwordFile))\\"}"
                        then delete the file.
                        """)
                }
                return
            }
            if ContinuousClock.now - start > startupTimeout {
                let rows = await healthRows() ?? []
                Self.say("bourse up: not every service became healthy within \(Int(startupTimeout.inSeconds)) s:")
                Self.printTable(rows)
                return
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    func healthRows() async -> [Row]? {
        let pids = pids()
        var rows: [Row] = []
        let gatewayHealth = await health(of: gatewayURL)
        rows.append(Row(service: "gateway", instanceID: "gateway-1", pid: pids["gateway-1"] ?? 0, url: gatewayURL, health: gatewayHealth))
        guard gatewayHealth == "pass",
              let reply = try? await client.send(.GET, "\(gatewayURL)/api/v1/gateway/services",
                                                 headers: [(InternalCredential.headerName, credential.token(method: "GET", target: "/api/v1/gateway/services"))],
                                                 timeout: .seconds(2)),
              let listing = try? RegistryListing.decode(Data(buffer: reply.body))
        else { return nil }
        var urls: [String: String] = [:]
        for service in listing.services { for i in service.instances { urls[i.instanceID] = i.url } }
        for spec in specs where spec.service != "gateway" {
            let pid = pids[spec.instanceID] ?? 0
            let registeredID = "\(spec.service)-\(pid)"
            let url = urls[registeredID]
            let health = url != nil ? await self.health(of: url!) : "unregistered"
            rows.append(Row(service: spec.service, instanceID: registeredID, pid: pid, url: url ?? "-", health: health))
        }
        return rows
    }

    func health(of baseURL: String) async -> String {
        guard let reply = try? await client.send(.GET, "\(baseURL)/health/detailed", timeout: .seconds(2)) else { return "down" }
        return reply.status == 200 ? "pass" : "fail"
    }

    static func printTable(_ rows: [Row]) {
        let header = ["SERVICE", "INSTANCE", "PID", "URL", "HEALTH"]
        let cells = rows.map { [$0.service, $0.instanceID, String($0.pid), $0.url, $0.health] }
        let widths = header.indices.map { c in ([header[c]] + cells.map { $0[c] }).map(\.count).max() ?? 0 }
        for line in [header] + cells {
            say(line.enumerated().map { $1.padding(toLength: widths[$0] + 2, withPad: " ", startingAt: 0) }.joined())
        }
    }
}
