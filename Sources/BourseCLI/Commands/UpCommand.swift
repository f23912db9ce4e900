import ArgumentParser
import Foundation
import ServiceKit
import Services

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the whole platform on this machine: every service as a child process, SQLite under --data-dir.")

    @Option(help: "Gateway port.") var port: Int = 8080
    @Option(help: "Address every process binds.") var host: String = "127.0.0.1"
    @Option(help: "Directory for databases and logs.") var dataDir: String = "./data"
    @Option(help: "Instances of a service: --scale data=2 (repeatable).") var scale: [String] = []
    @Option(help: "Seconds to wait for every service to become healthy.") var startupTimeout: Double = 60
    @Option(help: "log.level of every service.") var logLevel: String = "info"

    func run() async throws {
        let plan: [String: Int]
        do { plan = try ScalePlan.parse(scale, known: ServiceCatalog.names) } catch { throw ValidationError("\(error)") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        let dataURL = URL(fileURLWithPath: dataDir).standardizedFileURL
        let logs = dataURL.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let gatewayURL = "http://\(host):\(port)"
        let me = ProcessInfo.processInfo.processIdentifier
        let services = ServiceCatalog.names.filter { $0 != "gateway" }
        let common = ["--host", host, "--data-dir", dataURL.path, "--log-level", logLevel, "--set", "supervisor.parent_pid=\(me)"]
        var specs = [ChildSpec(
            service: "gateway", instanceID: "gateway-1",
            arguments: ["serve", "gateway", "--port", String(port), "--set", "instance.id=gateway-1",
                        "--set", "gateway.known_services=\(services.joined(separator: ","))"] + common,
            logFile: logs.appendingPathComponent("gateway-1.log"))]
        for service in services {
            for n in 1...(plan[service] ?? 1) {
                let id = "\(service)-\(n)"
                specs.append(ChildSpec(
                    service: service, instanceID: id,
                    // Each process registers as <service>-<pid>: a restarted process is a new instance, and the
                    // dead one's registration is dropped when its lease runs out.
                    arguments: ["serve", service, "--port", "0", "--gateway-url", gatewayURL] + common,
                    logFile: logs.appendingPathComponent("\(id).log")))
            }
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let http = ServiceClient.makeHTTPClient()
        let supervisor = Supervisor(specs: specs, executable: executable, gatewayURL: gatewayURL,
                                    client: ServiceClient(http: http), startupTimeout: .seconds(startupTimeout),
                                    internalSecret: ProcessInfo.processInfo.environment[ConfigKey.internalSecret.environmentVariable]
                                        ?? InternalCredential.randomSecret(), dataDir: dataURL.path)
        Supervisor.say("bourse up: starting \(specs.count) processes; data in \(dataURL.path)")
        let status = try await supervisor.run()
        try? await http.shutdown()
        if status != 0 { throw ExitCode(status) }
    }
}
