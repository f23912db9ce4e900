/// One configuration key: its scoped name (`http.port`), what it means, its default and how it is checked.
///
/// A key is documented once, here, and the README's table is generated from the same list
/// (`bourse config keys`). Its environment variable is `BOURSE_` followed by the name in upper case with
/// dots as underscores (`http.port` → `BOURSE_HTTP_PORT`).
public struct ConfigKey: Sendable, Hashable {
    /// How a value is checked before start-up continues.
    public enum Kind: Sendable, Hashable {
        case string
        case integer(ClosedRange<Int>)
        case seconds(ClosedRange<Double>)
        /// A plain number in a range (ratios, shares, multipliers), read with ``Configuration/number(_:)``.
        case number(ClosedRange<Double>)
        /// `true` or `false`, read with ``Configuration/bool(_:)``.
        case boolean
        case url(schemes: Set<String>)
        case choice(Set<String>)
    }

    public let name: String
    public let help: String
    /// The default as text; `nil` means no value unless one is given (and the key is optional).
    public let defaultValue: String?
    public let kind: Kind
    /// A secret is shown as `<redacted>` in `/api/status/config` and never logged. URLs with a password
    /// are shown with the password redacted.
    public let isSecret: Bool

    public init(_ name: String, _ kind: Kind, default defaultValue: String?, secret: Bool = false, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.isSecret = secret
        self.help = help
    }

    /// The environment variable that sets this key.
    public var environmentVariable: String {
        "BOURSE_" + name.uppercased().map { $0 == "." || $0 == "-" ? "_" : $0 }.map(String.init).joined()
    }

    public static func == (lhs: ConfigKey, rhs: ConfigKey) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

extension ConfigKey {
    public static let httpHost = ConfigKey(
        "http.host", .string, default: "127.0.0.1", help: "Address the HTTP server binds.")
    public static let httpPort = ConfigKey(
        "http.port", .integer(0...65535), default: "0",
        help: "Port the HTTP server binds; 0 picks a free port (the gateway defaults to 8080).")
    public static let httpMaxBodyBytes = ConfigKey(
        "http.max_body_bytes", .integer(1...1_073_741_824), default: "10485760",
        help: "Largest request body accepted; larger bodies get 413.")
    public static let dataDir = ConfigKey(
        "data.dir", .string, default: "./data", help: "Directory for SQLite files and other local state.")
    public static let databaseURL = ConfigKey(
        "database.url", .url(schemes: ["sqlite", "postgres", "postgresql"]), default: nil, secret: true,
        help: "`postgres://user:pass@host:port/db` or `sqlite:///path/file.sqlite`; default: `<data.dir>/<service>.sqlite`.")
    public static let logLevel = ConfigKey(
        "log.level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), default: "info",
        help: "Minimum level of log lines.")
    public static let logFormat = ConfigKey(
        "log.format", .choice(["json", "text"]), default: "json", help: "JSON lines, or plain text for a terminal.")
    public static let gatewayURL = ConfigKey(
        "gateway.url", .url(schemes: ["http", "https"]), default: nil,
        help: "Gateway to register with; unset means the service does not register.")
    public static let advertiseURL = ConfigKey(
        "http.advertise_url", .url(schemes: ["http", "https"]), default: nil,
        help: "URL other processes use to reach this instance; default: `http://<http.host>:<bound port>`.")
    public static let instanceID = ConfigKey(
        "instance.id", .string, default: nil, help: "Instance id in the registry; default: `<service>-<pid>`.")
    public static let heartbeatInterval = ConfigKey(
        "registry.heartbeat_seconds", .seconds(0.1...300), default: "2",
        help: "How often a service renews its registration lease.")
    public static let shutdownGrace = ConfigKey(
        "shutdown.grace_seconds", .seconds(0...600), default: "10",
        help: "How long in-flight requests may take to finish after SIGTERM.")
    public static let parentPID = ConfigKey(
        "supervisor.parent_pid", .integer(0...Int(Int32.max)), default: "0",
        help: "Set by `bourse up`: the child exits cleanly when this process is gone (0 = not supervised).")

    public static let internalSecret = ConfigKey(
        "internal.secret", .string, default: nil, secret: true,
        help: "Shared secret of the gateway and services; when set, services refuse requests that did not come through the gateway or a peer (`bourse up` makes one per start).")

    public static let busURL = ConfigKey(
        "bus.url", .url(schemes: ["sqlite", "postgres", "postgresql"]), default: nil, secret: true,
        help: "The event bus store every process shares: `sqlite:///path/bus.sqlite` or `postgres://…` (schema `bourse_bus`); default: `<data.dir>/bus.sqlite`, or with a PostgreSQL `database.url` the same server.")

    /// Keys every service understands.
    public static let common: [ConfigKey] = [
        .httpHost, .httpPort, .httpMaxBodyBytes, .advertiseURL, .dataDir, .databaseURL, .logLevel, .logFormat,
        .gatewayURL, .instanceID, .heartbeatInterval, .shutdownGrace, .parentPID, .internalSecret, .busURL,
    ]
}
