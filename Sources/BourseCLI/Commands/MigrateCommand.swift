import ArgumentParser
import Foundation
import Logging
import ServiceKit
import Services

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Show, apply or revert a service's database migrations.")

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case status, up, down
    }

    @Argument(help: "status, up or down.") var action: Action
    @Option(help: "The service.") var service: String
    @Option(help: "up: apply through this version; down: revert every version above it (default: only the newest).") var to: Int?
    @OptionGroup var options: ConfigOptions

    func run() async throws {
        guard let type = ServiceCatalog.named(service) else {
            throw ValidationError("unknown service \"\(service)\"; known: \(ServiceCatalog.names.joined(separator: ", "))")
        }
        let descriptor = type.descriptor
        guard !descriptor.migrations.isEmpty else {
            print("\(service) has no database and no migrations.")
            return
        }
        let config: Configuration
        do {
            config = try Configuration(keys: descriptor.allKeys, commandLine: options.commandLine(),
                                       environment: ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("bourse migrate: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var logger = Logger(label: "migrate")
        logger.logLevel = .warning
        let database = try await Database.open(url: config.string(.databaseURL), dataDir: config.string(.dataDir) ?? "./data",
                                               service: descriptor.name, logger: logger)
        let migrator = Migrator(database: database, migrations: descriptor.migrations)
        do {
            switch action {
            case .status:
                print("\(descriptor.name) (\(database.location))")
                for s in try await migrator.status() {
                    let state = s.applied ? "applied \(s.appliedAt ?? "")" : "pending"
                    print(String(format: "%4d  %-40@ %@%@", s.version, s.name as NSString, state as NSString,
                                 (s.checksumMatches ? "" : "  CHANGED SINCE APPLIED") as NSString))
                }
            case .up:
                let done = try await migrator.up(to: to)
                print(done.isEmpty ? "nothing to apply" : "applied \(done.map(String.init).joined(separator: ", "))")
            case .down:
                let done = try await migrator.down(to: to)
                print(done.isEmpty ? "nothing to revert" : "reverted \(done.map(String.init).joined(separator: ", "))")
            }
        } catch {
            await database.close()
            FileHandle.standardError.write(Data("bourse migrate: \(error)\n".utf8))
            throw ExitCode(1)
        }
        await database.close()
    }
}
