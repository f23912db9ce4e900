import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import SQLKit
import ServiceKit

/// Helpers for tests of Bourse services: temporary databases, the PostgreSQL server of the test run, and
/// a service built exactly as `bourse serve` builds it, minus the socket.
public enum TestSupport {
    /// `BOURSE_TEST_POSTGRES_URL`, set by `.ci/run` (and by developers who run PostgreSQL locally).
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["BOURSE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Under CI a missing PostgreSQL fails the PostgreSQL tests instead of skipping them.
    public static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Whether PostgreSQL tests run: when a server is configured, and always under CI (where they then fail
    /// if it is missing).
    public static var runPostgresTests: Bool { postgresURL != nil || isCI }

    /// The engines a storage test runs on: SQLite always, PostgreSQL when configured or under CI.
    public static var engines: [Database.Engine] { runPostgresTests ? [.sqlite, .postgres] : [.sqlite] }

    public struct MissingPostgres: Error, CustomStringConvertible {
        public var description: String { "CI=true but BOURSE_TEST_POSTGRES_URL is not set: the PostgreSQL tests cannot run" }
    }

    public static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bourse-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A database URL for `engine`: a fresh SQLite file, or a fresh database (`CREATE DATABASE`) on the test
    /// PostgreSQL server, so that tests running in parallel never see each other's rows.
    public static func databaseURL(_ engine: Database.Engine) async throws -> String {
        switch engine {
        case .sqlite:
            return "sqlite://" + temporaryDirectory() + "/test.sqlite"
        case .postgres:
            guard let url = postgresURL, var components = URLComponents(string: url) else { throw MissingPostgres() }
            let name = "bourse_t\(UInt32.random(in: 0...UInt32.max))"
            let admin = try await Database.open(url: url, dataDir: temporaryDirectory(), service: "test_admin", logger: logger)
            do {
                try await admin.withSQL { sql in try await sql.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            } catch {
                await admin.close()
                throw error
            }
            await admin.close()
            components.path = "/" + name
            return components.string ?? url
        }
    }

    public static func uniqueServiceName(_ base: String) -> String {
        "\(base)_t\(UInt32.random(in: 0...UInt32.max))"
    }

    public static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["BOURSE_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }

    /// The routes service `S` serves (its own and the common ones), as its router registered them.
    public static func servedRoutes<S: BourseService>(_ type: S.Type, settings: [String: String] = [:]) async throws -> [ServiceRouter.Route] {
        try await withService(type, settings: settings) { service, environment, _ in
            ServiceHost.buildRouter(service, environment: environment).served
        }
    }

    /// Builds service `S` as `bourse serve` would (configuration from `settings`, database migrated,
    /// every middleware and common endpoint) and hands its application to `body`. The database and the
    /// HTTP client are closed afterwards. `logger` receives the service's and its requests' log lines.
    public static func withService<S: BourseService, R>(
        _ type: S.Type, settings: [String: String] = [:], logger: Logger = TestSupport.logger,
        _ body: (S, ServiceEnvironment, Application<RouterResponder<ServiceRequestContext>>) async throws -> R
    ) async throws -> R {
        var settings = settings
        if settings[ConfigKey.dataDir.name] == nil { settings[ConfigKey.dataDir.name] = temporaryDirectory() }
        let configuration = try Configuration(keys: S.descriptor.allKeys, commandLine: settings, environment: [:])
        let http = ServiceClient.makeHTTPClient()
        do {
            let environment = try await ServiceHost.makeEnvironment(for: S.self, configuration: configuration,
                                                                    client: ServiceClient(http: http), logger: logger)
            let service = try await S(environment: environment)
            let router = ServiceHost.buildRouter(service, environment: environment)
            // The same server as `bourse serve`, including any channel handlers (the gateway's event-loop proxy).
            let app = Application(router: router.router, server: service.channelHandlers.map { make in .http1(configuration: .init(additionalChannelHandlers: make())) } ?? .http1(),
                                  logger: logger)
            do {
                let result = try await body(service, environment, app)
                await environment.database?.close()
                try await http.shutdown()
                return result
            } catch {
                await environment.database?.close()
                throw error
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

extension TestSupport {
    /// Polls `condition` every 100 ms until it holds or `timeout` passes; returns its last value.
    public static func eventually(_ timeout: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }
}
