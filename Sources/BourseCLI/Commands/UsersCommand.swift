import ArgumentParser
import Auth
import Foundation
import Logging
import ServiceKit

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage users directly in the auth database.", subcommands: [CreateAdmin.self])

    struct CreateAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-admin",
            abstract: "Create an administrator; the password is read from standard input (never from an argument, which `ps` shows).")

        @Option(help: "The administrator's e-mail address.") var email: String
        @Option(help: "The username (3-32 lower-case letters, digits, '.', '_', '-').") var username: String = "admin"
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let descriptor = AuthService.descriptor
            let config: Configuration
            do {
                config = try Configuration(keys: descriptor.allKeys, commandLine: options.commandLine(), environment: ProcessInfo.processInfo.environment)
            } catch let error as ConfigurationError {
                FileHandle.standardError.write(Data("bourse users: \(error)\n".utf8))
                throw ExitCode(2)
            }
            if isatty(STDIN_FILENO) != 0 { FileHandle.standardError.write(Data("Password (then Enter): ".utf8)) }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                FileHandle.standardError.write(Data("bourse users: no password on standard input\n".utf8))
                throw ExitCode(2)
            }
            var logger = Logger(label: "users")
            logger.logLevel = .warning
            let database = try await Database.open(url: config.string(.databaseURL), dataDir: config.string(.dataDir) ?? "./data",
                                                   service: descriptor.name, logger: logger)
            do {
                _ = try await Migrator(database: database, migrations: descriptor.migrations).up()
                let id = try await AuthAdministration.createAdmin(
                    database: database, username: username, email: email, password: line,
                    bcryptCost: config.int(AuthService.bcryptCost), minimumLength: config.int(AuthService.passwordMinimum))
                await database.close()
                print("created admin \(username.lowercased()) (\(id))")
            } catch {
                await database.close()
                FileHandle.standardError.write(Data("bourse users: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
