import ArgumentParser
import ServiceKit

/// Flags shared by commands that configure a service; each maps onto a configuration key, and
/// `--set key=value` reaches any key. Flags beat environment variables, which beat defaults.
struct ConfigOptions: ParsableArguments {
    @Option(help: "http.host: address to bind.") var host: String?
    @Option(help: "http.port: port to bind (0 = any free port).") var port: Int?
    @Option(help: "data.dir: directory for SQLite files and local state.") var dataDir: String?
    @Option(help: "database.url: postgres://… or sqlite:///path.") var databaseURL: String?
    @Option(help: "gateway.url: the gateway to register with.") var gatewayURL: String?
    @Option(help: "log.level: trace, debug, info, notice, warning, error, critical.") var logLevel: String?
    @Option(name: .customLong("set"), help: "Any configuration key: --set key=value (repeatable).") var settings: [String] = []

    func commandLine() throws -> [String: String] {
        var values: [String: String] = [:]
        for setting in settings {
            guard let eq = setting.firstIndex(of: "="), eq != setting.startIndex else {
                throw ValidationError("--set takes key=value, got \"\(setting)\"")
            }
            values[String(setting[..<eq])] = String(setting[setting.index(after: eq)...])
        }
        let flags: [(ConfigKey, String?)] = [
            (.httpHost, host), (.httpPort, port.map(String.init)), (.dataDir, dataDir), (.databaseURL, databaseURL),
            (.gatewayURL, gatewayURL), (.logLevel, logLevel),
        ]
        for (key, value) in flags { if let value { values[key.name] = value } }
        return values
    }
}
