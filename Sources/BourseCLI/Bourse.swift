import ArgumentParser

/// The one `bourse` executable: every service, the supervisor, and the tools.
@main
struct Bourse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bourse",
        abstract: "Bourse: a self-hosted investment research and portfolio platform.",
        version: "0.1.0",
        subcommands: [
            UpCommand.self, ServeCommand.self, MigrateCommand.self, QuantCommand.self, BenchCommand.self,
            OpenAPICommand.self, ConfigCommand.self, IngestCommand.self, UsersCommand.self, BacktestCommand.self,
        ]
    )
}

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks (run from a release build).", subcommands: [BenchQuantCommand.self, BenchDataCommand.self, BenchPortfolioCommand.self, BenchBacktestCommand.self])
}
