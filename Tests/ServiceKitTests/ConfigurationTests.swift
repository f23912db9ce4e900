import Testing
@testable import ServiceKit

@Suite struct ConfigurationTests {
    let keys = ConfigKey.common

    @Test func commandLineBeatsEnvironmentWhichBeatsDefault() throws {
        let config = try Configuration(
            keys: keys, commandLine: ["http.port": "9001"],
            environment: ["BOURSE_HTTP_PORT": "9002", "BOURSE_LOG_LEVEL": "debug"])
        #expect(config.int(.httpPort) == 9001)
        #expect(config.entries["http.port"]?.source == .commandLine)
        #expect(config.string(.logLevel) == "debug")
        #expect(config.entries["log.level"]?.source == .environment)
        #expect(config.string(.httpHost) == "127.0.0.1")
        #expect(config.entries["http.host"]?.source == .default)
    }

    @Test func environmentVariableNamesAreDerivedFromKeys() {
        #expect(ConfigKey.httpPort.environmentVariable == "BOURSE_HTTP_PORT")
        #expect(ConfigKey.databaseURL.environmentVariable == "BOURSE_DATABASE_URL")
        #expect(ConfigKey.httpMaxBodyBytes.environmentVariable == "BOURSE_HTTP_MAX_BODY_BYTES")
    }

    @Test(arguments: [
        ("http.port", "abc", "must be a whole number"),
        ("http.port", "70000", "between 0 and 65535"),
        ("log.level", "loud", "must be one of"),
        ("database.url", "mysql://x/y", "scheme must be one of"),
        ("gateway.url", "not a url at all", "must"),
        ("registry.heartbeat_seconds", "-1", "between"),
    ])
    func invalidValueStopsStartUpNamingTheKey(key: String, value: String, reason: String) {
        do {
            _ = try Configuration(keys: keys, commandLine: [key: value])
            Issue.record("\(key)=\(value) was accepted")
        } catch {
            #expect(error.key == key)
            #expect(error.source == .commandLine)
            #expect(error.description.contains(key))
            #expect(error.description.contains(reason))
        }
    }

    @Test func invalidEnvironmentValueNamesTheEnvironmentAsSource() {
        #expect(throws: ConfigurationError.self) {
            try Configuration(keys: keys, environment: ["BOURSE_HTTP_PORT": "eighty"])
        }
        do {
            _ = try Configuration(keys: keys, environment: ["BOURSE_HTTP_PORT": "eighty"])
        } catch {
            #expect(error.description == "invalid configuration: http.port = \"eighty\" (from environment): must be a whole number")
        }
    }

    @Test func unknownCommandLineKeyIsRefused() {
        #expect(throws: ConfigurationError.self) {
            try Configuration(keys: keys, commandLine: ["http.prot": "80"])
        }
    }

    @Test func secretsAreRedactedButDatabaseHostStaysVisible() throws {
        let config = try Configuration(keys: keys, commandLine: ["database.url": "postgres://bourse:s3cret@db.internal:5432/bourse"])
        let shown = config.redacted()["database.url"]
        #expect(shown?.value == "postgres://bourse:%3Credacted%3E@db.internal:5432/bourse"
            || shown?.value == "postgres://bourse:<redacted>@db.internal:5432/bourse")
        #expect(shown?.value?.contains("s3cret") == false)
        #expect(shown?.secret == true)
    }

    @Test func invalidSecretValueIsNotEchoedInTheError() {
        do {
            _ = try Configuration(keys: keys, commandLine: ["database.url": "ftp://user:topsecret@host/db"])
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }
}

@Suite struct ConfigurationKindTests {
    static let ratio = ConfigKey("t.ratio", .number(0...1), default: "0.25", help: "A share.")
    static let flag = ConfigKey("t.flag", .boolean, default: "true", help: "A switch.")

    @Test func numbersAndBooleansAreReadAsTheirKind() throws {
        let configuration = try Configuration(keys: [Self.ratio, Self.flag], commandLine: ["t.flag": "false"], environment: ["BOURSE_T_RATIO": "0.5"])
        #expect(configuration.number(Self.ratio) == 0.5)
        #expect(configuration.bool(Self.flag) == false)
    }

    @Test func aRatioOutOfRangeOrABooleanThatIsNotTrueOrFalseStopsStartUp() {
        #expect(throws: ConfigurationError.self) { try Configuration(keys: [Self.ratio], commandLine: ["t.ratio": "1.5"], environment: [:]) }
        #expect(throws: ConfigurationError.self) { try Configuration(keys: [Self.flag], commandLine: ["t.flag": "yes"], environment: [:]) }
    }
}
