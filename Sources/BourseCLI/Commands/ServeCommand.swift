import ArgumentParser
import Foundation
import ServiceKit
import Services

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run one service in this process until SIGTERM/SIGINT.")

    @Argument(help: "The service: \(ServiceCatalog.names.joined(separator: ", ")).") var service: String
    @OptionGroup var options: ConfigOptions

    func run() async throws {
        guard let type = ServiceCatalog.named(service) else {
            throw ValidationError("unknown service \"\(service)\"; known: \(ServiceCatalog.names.joined(separator: ", "))")
        }
        try await serve(type)
    }

    private func serve<S: BourseService>(_ type: S.Type) async throws {
        let configuration: Configuration
        do {
            configuration = try ServiceHost.configuration(for: S.self, commandLine: options.commandLine())
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("bourse serve \(service): \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            try await ServiceHost.run(S.self, configuration: configuration)
        } catch {
            FileHandle.standardError.write(Data("bourse serve \(service): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print a service's OpenAPI 3.1 contract (the same document as its /openapi.yaml).")

    @Argument(help: "The service.") var service: String?
    @Flag(help: "List the services, one name a line (what CI's contract checks iterate over).") var list = false

    func run() throws {
        if list {
            print(ServiceCatalog.names.joined(separator: "\n"))
            return
        }
        guard let service else { throw ValidationError("name a service (\(ServiceCatalog.names.joined(separator: ", "))) or pass --list") }
        guard let type = ServiceCatalog.named(service) else {
            throw ValidationError("unknown service \"\(service)\"; known: \(ServiceCatalog.names.joined(separator: ", "))")
        }
        print(OpenAPIDocument.render(type.descriptor))
    }
}

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "List every configuration key with its environment variable, default and meaning (Markdown).")

    func run() throws {
        var seen = Set<String>()
        print("| key | environment | default | services | meaning |")
        print("|---|---|---|---|---|")
        for type in ServiceCatalog.all {
            for key in type.descriptor.allKeys where seen.insert(key.name).inserted {
                let users = ServiceCatalog.all.filter { $0.descriptor.allKeys.contains(key) }.map { $0.descriptor.name }
                let scope = users.count == ServiceCatalog.all.count ? "all" : users.joined(separator: ", ")
                let value = key.name == ConfigKey.httpPort.name ? "0 (gateway: 8080)" : (key.defaultValue.map { $0.isEmpty ? "(empty)" : $0 } ?? "(none)")
                print("| `\(key.name)` | `\(key.environmentVariable)` | \(value) | \(scope) | \(key.help) |")
            }
        }
    }
}
